// Reading a secret for a command, from a file (`-` = stdin), stdin, or a no-echo prompt on a
// terminal: shared by the CLI and the daemon's offline admin commands.
import type { Readable, Writable } from 'node:stream';
import { UsageError } from 'clipanion';
import { readSecretFile } from './settings-files.js';

/** Where a secret comes from: a file (`-` = stdin), else stdin (a no-echo prompt on a terminal). */
export interface SecretSource {
  file: string | undefined;
  /** What the secret is, for prompts and errors ("password of user alice"). */
  what: string;
  stdin: Readable;
  stderr: Writable;
}

function isTty(stream: Readable): stream is NodeJS.ReadStream {
  return 'isTTY' in stream && (stream as NodeJS.ReadStream).isTTY === true;
}

/** Read a secret; it is never taken from the command line, where `ps` would show it. */
export async function readSecret(src: SecretSource): Promise<string> {
  let secret: string;
  if (src.file !== undefined && src.file !== '-') secret = readSecretFile(src.file, src.what);
  else if (isTty(src.stdin)) secret = await promptHidden(src.stdin, src.stderr, `${src.what}: `);
  else secret = (await readAll(src.stdin)).replace(/\r?\n$/, '');
  if (secret === '') throw new UsageError(`empty ${src.what}`);
  return secret;
}

async function readAll(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
  return text;
}

function promptHidden(stdin: NodeJS.ReadStream, stderr: Writable, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.resume();
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new UsageError('interrupted'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
