import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { fusedBatchNormGradConfig } from '../../src/backend/wasmKernels/batchNormGrad.js';
import { randomValues, relativeError, useWasm } from './helpers.js';

// Captured before registerWasmTrainingKernels replaces it: the independent reference.
const stockGrad = tf.getGradient('FusedBatchNorm')!;

beforeAll(useWasm);

// batchNorm without scale or offset cannot be differentiated in tfjs 4.22 at all (the engine
// trips over the undefined input), stock gradient or not. Layers passes both by default.
interface Case {
  xShape: number[];
}

const CASES: Case[] = [{ xShape: [3, 5, 4, 6] }, { xShape: [1, 7, 7, 3] }, { xShape: [2, 3, 5, 1] }, { xShape: [8, 6] }];

type Grads = Float32Array[];

/** Gradients of Σ w·batchNorm(x, mean, var, offset, scale) w.r.t. every input, on `backend`. */
async function bnGrads(backend: 'cpu' | 'wasm', c: Case, seed: number): Promise<Grads> {
  await tf.setBackend(backend);
  const rng = Rng.derive(seed, 0);
  const channels = c.xShape[c.xShape.length - 1];
  const size = c.xShape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(randomValues(rng, size), c.xShape);
  const w = tf.tensor(randomValues(rng, size), c.xShape);
  const mean = tf.tensor(randomValues(rng, channels));
  const variance = tf.tensor(randomValues(rng, channels).map((v) => 0.5 + v * v));
  const offset = tf.tensor(randomValues(rng, channels));
  const scale = tf.tensor(randomValues(rng, channels));
  const args = [x, mean, variance, offset, scale];
  const f = (...t: tf.Tensor[]) => tf.sum(tf.mul(w, tf.batchNorm(t[0], t[1], t[2], t[3], t[4], 1e-3)));
  const grads = tf.grads(f)(args);
  const out = await Promise.all(grads.map((g) => g.data() as Promise<Float32Array>));
  tf.dispose([...grads, ...args, w]);
  return out;
}

async function withGradient(config: tf.GradConfig, run: () => Promise<Grads>): Promise<Grads> {
  tf.registerGradient(config);
  try {
    return await run();
  } finally {
    tf.registerGradient(fusedBatchNormGradConfig);
  }
}

describe('FusedBatchNorm gradient without tile', () => {
  it('is the registered gradient once the training kernels are registered', () => {
    expect(tf.getGradient('FusedBatchNorm')).toBe(fusedBatchNormGradConfig);
  });

  for (const [i, c] of CASES.entries()) {
    it(`matches the stock gradient on cpu: x ${c.xShape.join('x')}`, async () => {
      const want = await withGradient(stockGrad, () => bnGrads('cpu', c, i));
      const before = tf.memory().numTensors;
      const onWasm = await bnGrads('wasm', c, i);
      expect(tf.memory().numTensors).toBe(before);
      const onCpu = await bnGrads('cpu', c, i);
      expect(onWasm.length).toBe(want.length);
      for (let k = 0; k < want.length; k++) {
        expect(relativeError(onWasm[k], want[k])).toBeLessThan(1e-4);
        expect(relativeError(onCpu[k], want[k])).toBeLessThan(1e-4);
      }
    });
  }

  it('calls no tile kernel', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([2, 4, 4, 3]);
    const profile = await tf.profile(() =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.batchNorm(t, tf.zeros([3]), tf.ones([3]), tf.zeros([3]), tf.ones([3]))))(x),
    );
    expect(profile.kernelNames).not.toContain('Tile');
    expect(profile.kernelNames).toContain('FusedBatchNorm');
    tf.dispose([x, profile.result as tf.Tensor]);
  });
});
