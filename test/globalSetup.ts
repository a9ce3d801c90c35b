/**
 * Vitest global setup: builds dist/ once per run, before any test file starts.
 *
 * Tests import the TypeScript sources, but some code must be loaded by Node itself: worker
 * threads (augment workers, training replicas) and the CLI run as a child process. Those tests
 * use this one build (test/dist.ts). The build is skipped when every source has its .js in
 * dist/ written after the newest input changed (as after `npm ci`, whose `prepare` builds).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DIST, REPO } from './dist.js';

/** tsconfig.json's `include`, and what else changes the emitted .js. */
const SOURCE_DIRS = ['augment', 'src', 'pipelines', 'bench'];
const CONFIG_FILES = ['tsconfig.json', 'package.json'];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(REPO, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => path.join(dir, f));
}

const mtime = (file: string): number => fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -Infinity;

/** Why dist/ needs a build, or undefined when it is up to date. */
export function staleReason(): string | undefined {
  const sources = SOURCE_DIRS.flatMap(sourceFiles);
  const newestInput = Math.max(...[...sources, ...CONFIG_FILES].map((f) => mtime(path.join(REPO, f))));
  for (const source of sources) {
    const output = path.join(DIST, source.replace(/\.ts$/, '.js'));
    if (mtime(output) < newestInput) return `${path.relative(REPO, output)} is missing or older than the sources`;
  }
  return undefined;
}

export default function buildDist(): void {
  const reason = staleReason();
  if (!reason) return;
  const started = Date.now();
  try {
    execFileSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: REPO, stdio: 'pipe' });
  } catch (err) {
    // tsc still emits when there are type errors; those are `npm run typecheck`'s to report.
    const still = staleReason();
    if (still) throw new Error(`building dist/ failed (${still}):\n${(err as { stdout?: Buffer }).stdout ?? err}`);
    console.warn('dist/ built with type errors: see `npm run typecheck`');
  }
  console.log(`built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s (${reason})`);
}
