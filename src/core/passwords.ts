// Password hashing with scrypt (node:crypto): slow on purpose, so verified
// credentials are cached by the authenticator, never re-hashed per request.
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

const N = 16384, R = 8, P = 1, KEYLEN = 32;

/** Hash a password: "scrypt$N$r$p$salt$hash" (base64 parts). */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, KEYLEN, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/**
 * A hash of a random password, to spend the same time on unknown users. Made on first use: at
 * module load it cost every CLI command (which imports this module through the daemon's commands)
 * a scrypt, about 80 ms of start-up.
 */
let decoy: string | null = null;
function decoyHash(): string {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}

/** Check a password against a stored hash (async: runs on the thread pool). Null hash = decoy. */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parts = (stored ?? decoyHash()).split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64');
  const got = await new Promise<Buffer>((res, rej) =>
    scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 },
      (err, key) => (err ? rej(err) : res(key))));
  return stored !== null && got.length === expected.length && timingSafeEqual(got, expected);
}
