// Test fixture: Debian's headless Chromium driven by playwright-core (which must not download a
// browser of its own), one fresh profile per launch, removed on close.
import { existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from './daemon.js';

/** Where Debian's chromium package puts the browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests cannot run here (a skip message), or null when they can. */
export function browserMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (apt-get install chromium): browser tests skipped`;
}

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A running browser with an empty profile; close() ends it and removes the profile. */
export interface Browser { context: BrowserContext; newPage(): Promise<Page>; close(): Promise<void> }

/** Launch headless Chromium on a new empty user-data-dir. */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'haas-test-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1280, height: 800 },
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  return {
    context,
    newPage: () => context.newPage(),
    close: async () => {
      try { await context.close(); } finally { rmSync(profile, { recursive: true, force: true }); }
    },
  };
}

/** Whether this run writes the screenshots of docs/screenshots/ (`npm run docs:screenshots`). */
export const SCREENSHOTS = process.env.HAAS_SCREENSHOTS === '1';

/** With HAAS_SCREENSHOTS=1, save the page as docs/screenshots/<name>.png; otherwise do nothing. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  const dir = join(repoRoot, 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`) });
}
