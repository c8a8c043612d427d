// Running the host tools the manager needs (qemu-img, qemu, ip, ovs-vsctl),
// each with a timeout and an error that quotes the tool.
import { execFile } from 'node:child_process';
import { HeadnodeError } from './errors.js';

/** Run `cmd args`; resolves with stdout, rejects with a HeadnodeError quoting stderr. */
export function runTool(cmd: string, args: string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, encoding: 'utf8', maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const e = err as NodeJS.ErrnoException & { killed?: boolean };
      if (e.code === 'ENOENT') return reject(new HeadnodeError(`${cmd} is not installed on the haas host`));
      if (e.killed) return reject(new HeadnodeError(`${cmd} ${args.join(' ')}: no answer within ${timeoutMs / 1000} s`));
      reject(new HeadnodeError(`${cmd} ${args.join(' ')}: ${String(stderr).trim() || e.message}`));
    });
  });
}
