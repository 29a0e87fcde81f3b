import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/**
 * Preloaded into the soaked agent (`node --require gcProbe.js keytray.js agent`) and nothing else.
 * V8 collects garbage lazily, so a bare RSS reading mostly says how long ago the last full
 * collection ran. On SIGUSR2 this runs a full collection and prints the process's RSS and live JS
 * heap on one line, so that two readings, after warm-up and at the end, compare what is retained.
 */
v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc') as () => void;

process.on('SIGUSR2', () => {
  collect();
  // The second pass frees what the first one's finalizers released; the pause lets V8's background
  // threads hand the freed pages back to the system before RSS is read.
  setTimeout(() => {
    collect();
    setTimeout(() => {
      const { rss, heapUsed } = process.memoryUsage();
      process.stdout.write(`gc-probe ${JSON.stringify({ rss, heapUsed })}\n`);
    }, 1000);
  }, 1000);
});
