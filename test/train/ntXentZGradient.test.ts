import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { ntXentWithStats } from '../../src/losses/ntXent.js';
import { ntXentZGradient } from '../../src/train/steps/ntXentZGradient.js';
import { viewLogits } from '../../src/losses/contrastiveLogits.js';
import { stepNegatives } from '../../src/losses/negativeSampling.js';
import { softmaxCrossEntropy } from '../../src/losses/softmaxCrossEntropy.js';
import { relativeError } from '../backend/helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomMatrix(rng: Rng, n: number, d: number): tf.Tensor2D {
  return tf.tensor2d(Array.from({ length: n * d }, () => rng.normal()), [n, d]);
}

describe('ntXentZGradient', () => {
  // chunkElements below 2N·2N cut the anchors into blocks, some uneven (e.g. 3 rows of 10).
  it.each([
    [2, 3, 0.5, 1 << 22],
    [5, 8, 0.1, 30],
    [5, 8, 0.1, 10],
    [16, 4, 1.0, 7 * 32],
    [7, 32, 0.07, 1],
  ])('equals ntXentWithStats and its autodiff gradient (N=%i, D=%i, τ=%f, chunk elements %i)', (n, d, tau, chunkElements) => {
    const rng = new Rng(n * 1000 + d);
    const z1 = randomMatrix(rng, n, d);
    const z2 = randomMatrix(rng, n, d);
    const expected = ntXentWithStats(z1, z2, tau);
    const [g1, g2] = tf.grads((a: tf.Tensor, b: tf.Tensor) => ntXentWithStats(a as tf.Tensor2D, b as tf.Tensor2D, tau).loss)([z1, z2]);
    const before = tf.memory().numTensors;
    const got = ntXentZGradient(z1, z2, tau, chunkElements);
    expect(tf.memory().numTensors - before).toBe(4);

    const expectedStats = expected.stats.dataSync();
    expect(got.loss.dataSync()[0]).toBeCloseTo(expectedStats[0], 5);
    const stats = got.stats.dataSync();
    for (let i = 0; i < 3; i++) expect(stats[i]).toBeCloseTo(expectedStats[i + 1], 5);
    expect(relativeError(got.dz1.dataSync(), g1.dataSync())).toBeLessThan(1e-5);
    expect(relativeError(got.dz2.dataSync(), g2.dataSync())).toBeLessThan(1e-5);
    tf.dispose([z1, z2, expected.loss, expected.stats, g1, g2, got.loss, got.stats, got.dz1, got.dz2]);
  });

  it.each([1 << 22, 30, 7])('with pairs and drawn negatives, equals the full-batch loss and autodiff gradient with the same rule (chunk elements %i)', (chunkElements) => {
    const rng = new Rng(77);
    const n = 6;
    const z1 = randomMatrix(rng, n, 5);
    const z2 = randomMatrix(rng, n, 5);
    const related = (a: number, b: number) => (a === 0 && b === 3) || (a === 3 && b === 0) || (a === 1 && b === 2) || (a === 2 && b === 1);
    const rule = () => ({ related, sampleNegatives: stepNegatives(4, 5, 9) });
    const full = (a: tf.Tensor2D, b: tf.Tensor2D) => softmaxCrossEntropy(viewLogits(a, b, { temperature: 0.5, ...rule() }));
    const expectedLoss = tf.tidy(() => full(z1, z2).dataSync()[0]);
    const [g1, g2] = tf.grads((a: tf.Tensor, b: tf.Tensor) => full(a as tf.Tensor2D, b as tf.Tensor2D))([z1, z2]);
    const got = ntXentZGradient(z1, z2, 0.5, chunkElements, rule());
    expect(got.negativesPerAnchor).toBe(4);
    expect(got.loss.dataSync()[0]).toBeCloseTo(expectedLoss, 5);
    expect(relativeError(got.dz1.dataSync(), g1.dataSync())).toBeLessThan(1e-5);
    expect(relativeError(got.dz2.dataSync(), g2.dataSync())).toBeLessThan(1e-5);
    const plain = tf.tidy(() => ntXentWithStats(z1, z2, 0.5).loss.dataSync()[0]);
    expect(Math.abs(plain - expectedLoss)).toBeGreaterThan(1e-3);
    tf.dispose([z1, z2, g1, g2, got.loss, got.stats, got.dz1, got.dz2]);
  });

  it('has the gradient that central differences give (float64 reference on a tiny batch)', () => {
    const rng = new Rng(3);
    const n = 3;
    const d = 4;
    const tau = 0.5;
    const z = Array.from({ length: 2 * n * d }, () => rng.normal());
    const loss = (values: number[]) =>
      tf.tidy(() => ntXentWithStats(tf.tensor2d(values.slice(0, n * d), [n, d]), tf.tensor2d(values.slice(n * d), [n, d]), tau).loss.dataSync()[0]);
    const got = ntXentZGradient(tf.tensor2d(z.slice(0, n * d), [n, d]), tf.tensor2d(z.slice(n * d), [n, d]), tau, 4);
    const analytic = [...got.dz1.dataSync(), ...got.dz2.dataSync()];
    const h = 1e-2;
    for (let i = 0; i < z.length; i++) {
      const plus = z.slice();
      const minus = z.slice();
      plus[i] += h;
      minus[i] -= h;
      expect(analytic[i]).toBeCloseTo((loss(plus) - loss(minus)) / (2 * h), 2);
    }
    tf.dispose([got.loss, got.stats, got.dz1, got.dz2]);
  });

  it('rejects views of different shapes', () => {
    const a = tf.zeros([3, 4]) as tf.Tensor2D;
    const b = tf.zeros([2, 4]) as tf.Tensor2D;
    expect(() => ntXentZGradient(a, b, 0.5)).toThrow(/same shape/);
    tf.dispose([a, b]);
  });
});
