import { findChromium, NO_CHROMIUM_NOTICE } from './chromium.js';

/** vitest globalSetup: the one line saying why the browser tests are skipped. */
export default function setup(): void {
  if (!findChromium()) console.warn(NO_CHROMIUM_NOTICE);
}
