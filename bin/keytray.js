#!/usr/bin/env node
// Thin launcher. The entry is bundled into one file (npm run build:cli) because the AWS CLI starts
// this helper for every command, and resolving and compiling a dozen modules costs more than the
// agent's whole answer; the full CLI behind it loads module by module, on demand.
require('../dist/electron/cli/entry.bundle.js').runKeytray(process.argv.slice(2));
