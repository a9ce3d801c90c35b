import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { ntXentLoss, ntXentWithStats } from '../../src/losses/ntXent.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomMatrix(rng: Rng, n: number, d: number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));
}

/** NT-Xent written from the paper's definition with plain loops, in float64. */
function referenceNtXent(z1: number[][], z2: number[][], tau: number): number {
  const z = [...z1, ...z2].map((row) => {
    const norm = Math.sqrt(row.reduce((s, v) => s + v * v, 0));
    return row.map((v) => v / norm);
  });
  const n = z1.length;
  const sim = (i: number, k: number) => z[i].reduce((s, v, c) => s + v * z[k][c], 0);
  let total = 0;
  for (let i = 0; i < 2 * n; i++) {
    const j = (i + n) % (2 * n);
    let denominator = 0;
    for (let k = 0; k < 2 * n; k++) if (k !== i) denominator += Math.exp(sim(i, k) / tau);
    total += -Math.log(Math.exp(sim(i, j) / tau) / denominator);
  }
  return total / (2 * n);
}

describe('ntXentLoss', () => {
  it.each([
    [2, 3, 0.5],
    [5, 8, 0.1],
    [16, 4, 1.0],
    [7, 32, 0.07],
  ])('matches a plain-loop computation (N=%i, D=%i, τ=%f)', (n, d, tau) => {
    const rng = new Rng(n * 100 + d);
    const a = randomMatrix(rng, n, d);
    const b = randomMatrix(rng, n, d);
    const loss = tf.tidy(() => ntXentLoss(tf.tensor2d(a), tf.tensor2d(b), tau).dataSync()[0]);
    expect(loss).toBeCloseTo(referenceNtXent(a, b, tau), 4);
  });

  it('has the gradient that finite differences give', () => {
    const rng = new Rng(7);
    const n = 3;
    const d = 4;
    const tau = 0.5;
    const a = randomMatrix(rng, n, d);
    const b = randomMatrix(rng, n, d);
    const grad = tf.tidy(() => {
      const g = tf.grad((x: tf.Tensor) => ntXentLoss(x as tf.Tensor2D, tf.tensor2d(b), tau));
      return Array.from(g(tf.tensor2d(a)).dataSync());
    });
    const eps = 1e-4;
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < d; c++) {
        const plus = a.map((row) => row.slice());
        const minus = a.map((row) => row.slice());
        plus[r][c] += eps;
        minus[r][c] -= eps;
        const numeric = (referenceNtXent(plus, b, tau) - referenceNtXent(minus, b, tau)) / (2 * eps);
        expect(grad[r * d + c]).toBeCloseTo(numeric, 3);
      }
    }
  });

  it('tends to 0 for identical, mutually orthogonal views as τ → 0', () => {
    const eye = tf.eye(4);
    const loss = tf.tidy(() => ntXentLoss(eye as tf.Tensor2D, eye as tf.Tensor2D, 0.01).dataSync()[0]);
    eye.dispose();
    expect(loss).toBeLessThan(1e-6);
  });

  it('is about log(2N − 1) for random high-dimensional views', () => {
    const rng = new Rng(3);
    const n = 32;
    const a = randomMatrix(rng, n, 2048);
    const b = randomMatrix(rng, n, 2048);
    const loss = tf.tidy(() => ntXentLoss(tf.tensor2d(a), tf.tensor2d(b), 1).dataSync()[0]);
    expect(loss).toBeCloseTo(Math.log(2 * n - 1), 1);
  });

  it('reports top-1 and mean cosines that match plain loops, without leaking tensors', () => {
    const rng = new Rng(11);
    const n = 6;
    const a = randomMatrix(rng, n, 5);
    const b = a.map((row) => row.map((v) => v + 0.3 * rng.normal()));
    const before = tf.memory().numTensors;
    const z1 = tf.tensor2d(a);
    const z2 = tf.tensor2d(b);
    const { loss, stats } = ntXentWithStats(z1, z2, 0.5);
    const [l, top1, pos, neg] = Array.from(stats.dataSync());
    tf.dispose([z1, z2, loss, stats]);
    expect(tf.memory().numTensors).toBe(before);

    const z = [...a, ...b].map((row) => {
      const norm = Math.hypot(...row);
      return row.map((v) => v / norm);
    });
    const cos = (i: number, k: number) => z[i].reduce((s, v, c) => s + v * z[k][c], 0);
    let hits = 0;
    let posSum = 0;
    let negSum = 0;
    for (let i = 0; i < 2 * n; i++) {
      const j = (i + n) % (2 * n);
      let best = -1;
      for (let k = 0; k < 2 * n; k++) {
        if (k === i) continue;
        if (best < 0 || cos(i, k) > cos(i, best)) best = k;
        if (k !== j) negSum += cos(i, k);
      }
      if (best === j) hits++;
      posSum += cos(i, j);
    }
    expect(l).toBeCloseTo(referenceNtXent(a, b, 0.5), 4);
    expect(top1).toBeCloseTo(hits / (2 * n), 6);
    expect(pos).toBeCloseTo(posSum / (2 * n), 5);
    expect(neg).toBeCloseTo(negSum / (2 * n * (2 * n - 2)), 5);
  });

  it('rejects mismatched views and a non-positive temperature', () => {
    const a = tf.zeros([2, 3]) as tf.Tensor2D;
    const b = tf.zeros([3, 3]) as tf.Tensor2D;
    expect(() => ntXentLoss(a, b)).toThrow(/same shape/);
    expect(() => ntXentLoss(a, a, 0)).toThrow(/temperature/);
    tf.dispose([a, b]);
  });
});
