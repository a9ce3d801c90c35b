import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimclrModel } from '../../src/models/simclrModel.js';
import { Lars } from '../../src/optim/lars.js';
import { microBatchViews, splitMicroBatches } from '../../src/train/steps/gradientCache.js';
import { cachedNtXentGradient, ntXentStep } from '../../src/train/steps/ntXentStep.js';
import type { startReplicaPool as StartReplicaPool } from '../../src/train/parallel/replicaPool.js';
import { useWasm } from '../backend/helpers.js';
import { importDist } from '../dist.js';
import { TINY_MODEL, randomViews, readGrads, relativeMapError, setWeights, weightValues } from './helpers.js';

// Worker threads run the build (Node cannot start .ts in a worker): the pool comes from dist/,
// and real replicas are checked against the same micro-batches on one thread.
const TAU = 0.5;
let startReplicaPool: typeof StartReplicaPool;
let model: SimclrModel;
let initial: Record<string, Float32Array>;

beforeAll(async () => {
  ({ startReplicaPool } = await importDist<typeof import('../../src/train/parallel/replicaPool.js')>('src/train/parallel/replicaPool.js'));
  await useWasm();
  model = SimclrModel.build(TINY_MODEL);
  initial = weightValues(model);
});
afterAll(() => model.dispose());

async function gradient(views: tf.Tensor4D, batchSize: number, microBatch: number, pool?: ReturnType<typeof StartReplicaPool>) {
  const out = await cachedNtXentGradient(model, views, splitMicroBatches(batchSize, microBatch), TAU, pool);
  const loss = out.loss.dataSync()[0];
  tf.dispose([out.loss, out.stats]);
  return { loss, grads: readGrads(out.grads) };
}

describe('replicas in worker threads (wasm, tiny ResNet-18)', () => {
  it('3 replicas give the single-thread loss and gradient, keep in step across updates, and replica 0 keeps its own BN averages', async () => {
    const B = 12;
    const M = 2; // 6 micro-batches: 2 per replica
    const views = tf.tensor4d(randomViews(5, B), [2 * B, 16, 16, 3]);
    const pool = startReplicaPool(3, TINY_MODEL)!;
    expect(pool.size).toBe(2);
    const optimizer = new Lars({ weightDecay: 1e-6 });
    try {
      for (let update = 0; update < 2; update++) {
        const start = weightValues(model);
        const expected = await gradient(views, B, M);
        setWeights(model, start);
        const before = tf.memory().numTensors;
        const got = await gradient(views, B, M, pool);
        expect(tf.memory().numTensors).toBe(before);
        expect(got.loss).toBeCloseTo(expected.loss, 5);
        expect(relativeMapError(got.grads, expected.grads)).toBeLessThan(1e-5);
        // This thread's BN averages moved by its own micro-batches (the first two) only.
        const after = weightValues(model);
        setWeights(model, start);
        for (const mb of splitMicroBatches(B, M).slice(0, 2)) {
          const v = microBatchViews(views, B, mb);
          tf.dispose([model.project(v, true), v]);
        }
        expect(relativeMapError(after, weightValues(model))).toBeLessThan(1e-6);
        // An update on this thread: the next round checks that workers follow the new weights.
        const step = ntXentStep(model, optimizer, TAU, { microBatch: M });
        expect((await step.run(views, 0.5)).finite).toBe(true);
      }
      expect(relativeMapError(initial, weightValues(model, true))).toBeGreaterThan(1e-4);
    } finally {
      pool.close();
      optimizer.dispose();
      views.dispose();
    }
  });

  it('the step with a pool trains, and a closed pool fails the step with a clear error', async () => {
    setWeights(model, initial);
    const B = 8;
    const views = tf.tensor4d(randomViews(6, B), [2 * B, 16, 16, 3]);
    const pool = startReplicaPool(2, TINY_MODEL)!;
    const optimizer = new Lars({ weightDecay: 1e-6 });
    const step = ntXentStep(model, optimizer, TAU, { microBatch: 4, pool });
    const outcome = await step.run(views, 0.5);
    expect(outcome.finite).toBe(true);
    expect(outcome.stats.top1).toBeGreaterThanOrEqual(0);
    step.dispose!();
    await expect(step.run(views, 0.5)).rejects.toThrow(/replica thread closed/);
    optimizer.dispose();
    views.dispose();
  });

  it('gives no pool for one replica; from TypeScript sources, which have no replicaWorker.js, 2 replicas are one clear error', async () => {
    expect(startReplicaPool(1, TINY_MODEL)).toBeUndefined();
    const { startReplicaPool: fromSource } = await import('../../src/train/parallel/replicaPool.js');
    expect(() => fromSource(2, TINY_MODEL)).toThrow(
      /worker script .*parallel\/replicaWorker\.js not found: worker threads run the compiled package \(npm run build\), or train with --replicas 1/,
    );
  });
});
