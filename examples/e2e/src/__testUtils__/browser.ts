/*
 * What the browser tests share: Debian's Chromium launched through playwright-core, and
 * waits that name what they waited for.
 */
import fs from 'node:fs';
import { Browser, chromium, Locator } from 'playwright-core';

const CHROMIUM = process.env.BLUEGREEN_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const UI_TIMEOUT_MS = 60_000;

/** Fails, saying what to install, when there is no Chromium to drive. */
export function requireChromium(): void {
  try {
    fs.accessSync(CHROMIUM, fs.constants.X_OK);
  } catch {
    throw new Error(
      `This browser test needs Chromium, and there is no executable at ${CHROMIUM}. ` +
        "Install Debian's chromium (`sudo apt-get install chromium`, which " +
        'scripts/install-system-deps.sh does), or set BLUEGREEN_CHROMIUM to a ' +
        'Chromium or Chrome executable.',
    );
  }
}

/** Debian's Chromium, headless. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Polls until `read` returns something `accept` likes; the error names `what` and the last value read. */
export async function waitUntil<T>(
  what: string,
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await read();
      lastError = undefined;
      if (accept(last)) {
        return last;
      }
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const seen =
        lastError !== undefined
          ? `the last attempt failed: ${String(lastError).split('\n')[0]}`
          : `it last read ${JSON.stringify(last)}`;
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; ${seen}`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}

/** Waits until the element's text (trimmed) is `expected`, or matches it. */
export function waitForText(
  locator: Locator,
  expected: string | RegExp,
  what: string,
  timeoutMs = UI_TIMEOUT_MS,
): Promise<string> {
  return waitUntil(
    `${what} to read ${String(expected)}`,
    async () => ((await locator.innerText({ timeout: 1_000 })) ?? '').trim(),
    text =>
      typeof expected === 'string' ? text === expected : expected.test(text),
    timeoutMs,
  );
}
