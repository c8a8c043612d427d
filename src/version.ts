// The package version, resolved without touching the disk in the built executable.
import { readFileSync } from 'node:fs';

/** Set by build.mjs (esbuild `define`); absent when running the sources through tsx. */
declare const __HAAS_VERSION__: string | undefined;

function versionFromPackageJson(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The version in package.json (embedded at build time in dist/haas). */
export const VERSION: string = typeof __HAAS_VERSION__ === 'string' ? __HAAS_VERSION__ : versionFromPackageJson();
