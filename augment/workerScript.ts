import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The worker script `name` (a .js path relative to `moduleUrl`, the caller's import.meta.url),
 * checked before a thread starts: a missing script would otherwise surface only as a thread
 * that dies on start. Worker threads always run the compiled package (dist/), never .ts sources.
 */
export function workerScript(name: string, moduleUrl: string, otherwise: string): URL {
  const url = new URL(name, moduleUrl);
  if (!existsSync(url)) {
    throw new Error(`worker script ${fileURLToPath(url)} not found: worker threads run the compiled package (npm run build), ${otherwise}`);
  }
  return url;
}
