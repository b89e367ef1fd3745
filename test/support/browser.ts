/**
 * A real headless browser for tests that drive the Temporal Web UI: Debian's `chromium` through
 * playwright-core (no bundled browser download). Failures keep a screenshot and name the page's URL.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Git-ignored folder for screenshots the tests keep. */
export const ARTIFACTS_DIR = join(__dirname, '..', '..', 'test-artifacts');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Without the background-networking flags chromium keeps calling Google's services (updates, sync,
// safe browsing), which on a closed network is a flood of failing connections and slow start-ups.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches headless chromium. Playwright gives every launch a fresh temporary profile (user-data-dir)
 * and deletes it on close, so no state leaks between runs.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** The path of an artifact file in test-artifacts/, creating the folder. */
export function artifactPath(file: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return join(ARTIFACTS_DIR, file);
}

/**
 * Runs one step of a UI journey. When it fails, a full-page screenshot is kept and the error names the
 * step, the page's URL and the screenshot, so a red CI run can be read without re-running it.
 */
export async function uiStep<T>(page: Page, step: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (err) {
    const shot = artifactPath(`failed-${step.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
    const saved = await page.screenshot({ path: shot, fullPage: true }).then(
      () => `screenshot ${shot}`,
      (e: Error) => `no screenshot: ${e.message}`,
    );
    throw new Error(`Web UI step "${step}" failed at ${page.url()} (${saved}): ${(err as Error).message}`);
  }
}
