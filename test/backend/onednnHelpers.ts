import { addonAvailable, loadAddon } from '../../src/backend/onednn/index.js';

/** Whether the oneDNN addon is built here; when not, says so once per test file (never silently). */
export function onednnAvailable(file: string): boolean {
  const available = addonAvailable();
  if (!available) {
    const reason = (loadAddon() as Error).message;
    console.warn(`${file}: onednn tests skipped — ${reason} (apt-get install libdnnl-dev && npm rebuild)`);
  }
  return available;
}
