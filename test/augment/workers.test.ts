import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_RECIPE } from '../../augment/recipe.js';
import { TwoViewStage, type TwoViewStageOptions } from '../../augment/stage.js';
import { memorySource } from './stageFixtures.js';

// Worker threads need compiled .js (Node 20 cannot run .ts in a worker), so compile augment/
// into a git-ignored folder inside the repo (its package.json makes the output ESM and
// node_modules resolve) and check the real worker path against the in-process one.
const root = resolve(import.meta.dirname, '../..');
const outDir = join(root, '.tmp', `augment-workers-${process.pid}`);
let CompiledStage: typeof TwoViewStage;

beforeAll(async () => {
  execFileSync(process.execPath, [
    join(root, 'node_modules/typescript/bin/tsc'),
    '--outDir', outDir, '--rootDir', join(root, 'augment'),
    '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022',
    '--strict', '--skipLibCheck', '--types', 'node',
    join(root, 'augment/index.ts'),
  ], { cwd: root, stdio: 'pipe' });
  ({ TwoViewStage: CompiledStage } = await import(pathToFileURL(join(outDir, 'index.js')).href));
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('TwoViewStage in worker threads', () => {
  const options: TwoViewStageOptions = {
    source: memorySource(10, 24, 5), recipe: DEFAULT_RECIPE, imageSize: 16, batchSize: 5, seed: 11,
  };

  it('gives exactly the in-process batches, for 1 and 2 workers, through prefetch and epochs', async () => {
    const inProcess = new TwoViewStage({ ...options, workers: 0 });
    const expected = await Promise.all([0, 1, 2, 3].map((t) => inProcess.batch(t)));
    await inProcess.close();
    for (const workers of [1, 2]) {
      const stage = new CompiledStage({ ...options, workers });
      expect(stage.usesWorkers).toBe(true);
      for (let t = 0; t <= 3; t++) expect(await stage.batch(t)).toEqual(expected[t]);
      await stage.close();
    }
  });

  it('reports a worker-side failure as a rejected batch', async () => {
    const stage = new CompiledStage({
      ...options, batchSize: 2, workers: 1, source: { kind: 'files', size: 16, paths: ['/nonexistent/a.png', '/nonexistent/b.png'] },
    });
    await expect(stage.batch(0)).rejects.toThrow(/nonexistent|missing|no such file/i);
    await stage.close();
  });
});
