// Base images: disk files in the image directory, with an optional manifest
// `NAME.json` {"kernel", "initrd", "append"} for direct kernel boot, and the
// copy-on-write overlay each headnode gets on its first start.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { HeadnodeError } from './errors.js';
import { runTool } from './exec.js';

/** A base image as the manager boots it. */
export interface BaseImage {
  name: string;
  path: string;
  kernel: string | null;
  initrd: string | null;
  append: string | null;
}

const DISK = /^(.+)\.(qcow2|raw|img)$/;

function diskFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  let entries: string[];
  try { entries = readdirSync(dir).sort(); } catch { return out; }
  for (const f of entries) {
    const m = DISK.exec(f);
    if (!m || out.has(m[1]!)) continue;
    try { if (statSync(join(dir, f)).isFile()) out.set(m[1]!, join(dir, f)); } catch { /* vanished */ }
  }
  return out;
}

/** Sorted names of the base images in `dir`. */
export function listImages(dir: string): string[] {
  return [...diskFiles(dir).keys()].sort();
}

/** The base image `name`, or null when `dir` has none by that name. */
export function findImage(dir: string, name: string): BaseImage | null {
  const path = diskFiles(dir).get(name);
  if (!path) return null;
  const manifestPath = join(dir, `${name}.json`);
  const image: BaseImage = { name, path, kernel: null, initrd: null, append: null };
  if (!existsSync(manifestPath)) return image;
  let m: unknown;
  try { m = JSON.parse(readFileSync(manifestPath, 'utf8')); } catch (e) {
    throw new HeadnodeError(`image manifest ${manifestPath} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new HeadnodeError(`image manifest ${manifestPath} must be a JSON object`);
  const rec = m as Record<string, unknown>;
  for (const key of Object.keys(rec)) {
    if (!['kernel', 'initrd', 'append'].includes(key)) throw new HeadnodeError(`image manifest ${manifestPath}: unknown key "${key}"`);
    if (typeof rec[key] !== 'string') throw new HeadnodeError(`image manifest ${manifestPath}: "${key}" must be a string`);
  }
  const file = (v: unknown) => (typeof v === 'string' ? (isAbsolute(v) ? v : join(dir, v)) : null);
  image.kernel = file(rec.kernel);
  image.initrd = file(rec.initrd);
  image.append = typeof rec.append === 'string' ? rec.append : null;
  if (image.initrd && !image.kernel) throw new HeadnodeError(`image manifest ${manifestPath}: "initrd" needs "kernel"`);
  return image;
}

/** Create `overlay`, a qcow2 whose backing file is the image (read-only from then on). */
export async function createOverlay(image: BaseImage, overlay: string): Promise<void> {
  const info = JSON.parse(await runTool('qemu-img', ['info', '--output=json', image.path])) as { format?: string };
  const format = info.format === 'qcow2' ? 'qcow2' : 'raw';
  await runTool('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', image.path, '-F', format, overlay]);
}
