import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); no browser is downloaded. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless Chromium. `hostRules` maps made-up host names to this machine, so that a page can
 * be opened from a host that is not localhost (browsers treat localhost as secure).
 */
export async function launchChromium(hostRules: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      // Root in a container: Chromium's sandbox needs user namespaces it does not get.
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...(hostRules.length ? [`--host-resolver-rules=${hostRules.join(',')}`] : []),
    ],
  });
}
