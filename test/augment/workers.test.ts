import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE } from '../../augment/recipe.js';
import { TwoViewStage, type TwoViewStageOptions } from '../../augment/stage.js';
import { importDist } from '../dist.js';
import { memorySource } from './stageFixtures.js';

// Worker threads run the build (Node cannot start .ts in a worker): check the stage from dist/
// against the in-process one from the sources.
let CompiledStage: typeof TwoViewStage;

beforeAll(async () => {
  ({ TwoViewStage: CompiledStage } = await importDist<typeof import('../../augment/stage.js')>('augment/stage.js'));
});

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
