// The haas executable: the daemon's commands and the API client's commands in one command line.
// Start-up is kept light (the CLI's speed is benchmarked): nothing heavy is loaded before a command runs.
import { clientCommands } from './cli/commands.js';
import { runCli } from './cli/run.js';
import { calledAsHil, runHil } from './cli/hil/run.js';
import { daemonCommands } from './daemon/commands.js';
import { VERSION } from './version.js';

// `haas node list | head` closes our stdout early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

// Called as `hil` (a symlink to the executable): HIL's own command line, for HIL users' scripts.
const run = calledAsHil(process.argv, process.argv0)
  ? runHil({ argv: process.argv.slice(2), env: process.env, stdout: process.stdout, stderr: process.stderr, version: VERSION })
  : runCli({ argv: process.argv.slice(2), commands: [...daemonCommands, ...clientCommands], version: VERSION });
run.then((code) => { process.exitCode = code; });
