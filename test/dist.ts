/**
 * The compiled build, for tests of code that Node itself must load: worker threads (Node cannot
 * start a .ts file in a worker) and the CLI as a child process. test/globalSetup.ts builds it
 * once per run; everything else imports the TypeScript sources.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(REPO, 'dist');

/** A module of the build, by its path in the sources: `importDist<typeof import('../augment/stage.js')>('augment/stage.js')`. */
export function importDist<T>(modulePath: string): Promise<T> {
  return import(pathToFileURL(path.join(DIST, modulePath)).href) as Promise<T>;
}
