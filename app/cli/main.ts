// Entry point of `qplay` (`npm run qplay -- ...`, or bin/qplay.mjs once installed).
import { runCli } from './cli.js';

// exitCode rather than process.exit(): exit() can cut off output still queued for a pipe.
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTTY: process.stderr.isTTY === true,
});
