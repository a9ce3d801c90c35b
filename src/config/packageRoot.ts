import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The simclr-ts package directory, found from this module whether run from src/ or dist/. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate) && JSON.parse(fs.readFileSync(candidate, 'utf8')).name === 'simclr-ts') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the simclr-ts package.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export function packageVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version;
}
