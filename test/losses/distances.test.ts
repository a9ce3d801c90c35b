import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { l2Normalize, pairwiseDistances } from '../../src/losses/distances.js';
import { stopGradient } from '../../src/losses/stopGradient.js';
import { viewLabels } from '../../src/losses/views.js';
import { expectClose, randomMatrix, viewDistances, withoutLeaks } from './reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('pairwiseDistances', () => {
  it.each(['euclidean', 'cosine'] as const)('%s matches explicit differences off the diagonal', (metric) => {
    const rng = Rng.derive(41);
    const z = randomMatrix(rng, 6, 5);
    const expected = viewDistances(z.slice(0, 3), z.slice(3), metric);
    withoutLeaks(() => {
      const t = tf.tensor2d(z);
      const d = pairwiseDistances(t, metric);
      const got = d.arraySync();
      tf.dispose([t, d]);
      const offDiagonal = (m: number[][]) => m.flatMap((row, i) => row.filter((_, j) => j !== i));
      expectClose(offDiagonal(got), offDiagonal(expected), 1e-4, 1e-5);
    });
  });

  it('has finite gradients when two points coincide', () => {
    const z = tf.tensor2d([[1, 2], [2, 4], [0, 1]]);
    const g = tf.grad((x) => pairwiseDistances(x as tf.Tensor2D).sum())(z);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([z, g]);
  });
});

describe('l2Normalize', () => {
  it('scales rows to unit norm and leaves an all-zero row at zero with a finite gradient', () => {
    const z = tf.tensor2d([[3, 4], [0, 0]]);
    const u = l2Normalize(z);
    expectClose(u.dataSync(), [0.6, 0.8, 0, 0], 1e-6, 1e-7);
    const g = tf.grad((x) => l2Normalize(x as tf.Tensor2D).sum())(z);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([z, u, g]);
  });
});

describe('stopGradient', () => {
  it('passes values through and blocks the gradient', () => {
    const x = tf.tensor1d([1, 2]);
    const y = stopGradient(x);
    const g = tf.grad((v) => stopGradient(v).mul(v).sum())(x); // d/dx [sg(x)·x] = x
    expect(Array.from(y.dataSync())).toEqual([1, 2]);
    expect(Array.from(g.dataSync())).toEqual([1, 2]);
    tf.dispose([x, y, g]);
  });
});

describe('viewLabels', () => {
  it('gives both views of an image the image index, or its label', () => {
    expect(Array.from(viewLabels(3))).toEqual([0, 1, 2, 0, 1, 2]);
    expect(Array.from(viewLabels(2, Int32Array.from([7, 7])))).toEqual([7, 7, 7, 7]);
  });
});
