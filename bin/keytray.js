#!/usr/bin/env node
// Thin launcher: the compiled entry decides between the credential-process fast path and the full CLI.
require('../dist/electron/cli/entry.js');
