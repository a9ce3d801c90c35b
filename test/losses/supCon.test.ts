import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { ntXentLoss } from '../../src/losses/ntXent.js';
import { supConLoss, supConWithStats } from '../../src/losses/supCon.js';
import { dot, randomMatrix, unitRows, type Matrix } from './reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * SupCon L_out in float64 with plain loops (Khosla et al. 2020, eq. 2): over the 2B views, for
 * each anchor i the mean over positives p (same class, p ≠ i) of −log(exp(s_ip/τ) / Σ_{k≠i} exp(s_ik/τ)).
 */
function refSupCon(z1: Matrix, z2: Matrix, labels: number[], tau: number): number {
  const z = unitRows([...z1, ...z2]);
  const cls = [...labels, ...labels];
  let total = 0;
  for (let i = 0; i < z.length; i++) {
    let denominator = 0;
    for (let k = 0; k < z.length; k++) if (k !== i) denominator += Math.exp(dot(z[i], z[k]) / tau);
    let sum = 0;
    let positives = 0;
    for (let p = 0; p < z.length; p++) {
      if (p === i || cls[p] !== cls[i]) continue;
      sum += -Math.log(Math.exp(dot(z[i], z[p]) / tau) / denominator);
      positives++;
    }
    total += sum / positives;
  }
  return total / z.length;
}

describe('supervised NT-Xent (SupCon)', () => {
  const rng = new Rng(7);
  const z1 = randomMatrix(rng, 6, 5);
  const z2 = randomMatrix(rng, 6, 5);
  const labels = [0, 1, 0, 2, 1, 0];
  const y = Int32Array.from(labels);

  it('matches the plain-loop float64 reference, and logs the contrastive statistics', () => {
    for (const tau of [0.1, 0.5]) {
      const loss = supConLoss(tf.tensor2d(z1), tf.tensor2d(z2), y, tau);
      expect(loss.dataSync()[0]).toBeCloseTo(refSupCon(z1, z2, labels, tau), 4);
    }
    const before = tf.memory().numTensors;
    const a = tf.tensor2d(z1);
    const b = tf.tensor2d(z2);
    const out = supConWithStats(a, b, y, 0.1);
    expect(out.stats.shape).toEqual([4]);
    expect(out.stats.dataSync()[0]).toBeCloseTo(out.loss.dataSync()[0], 6);
    tf.dispose([a, b, out.loss, out.stats]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('has the gradient of the reference (central finite differences in float64)', () => {
    const tau = 0.5;
    const grad = tf.grad((x: tf.Tensor) => supConLoss(x as tf.Tensor2D, tf.tensor2d(z2), y, tau))(tf.tensor2d(z1)).arraySync() as number[][];
    const h = 1e-5;
    for (const [r, c] of [[0, 0], [2, 3], [5, 4], [3, 1]]) {
      const plus = z1.map((row) => row.slice());
      const minus = z1.map((row) => row.slice());
      plus[r][c] += h;
      minus[r][c] -= h;
      const numeric = (refSupCon(plus, z2, labels, tau) - refSupCon(minus, z2, labels, tau)) / (2 * h);
      expect(grad[r][c]).toBeCloseTo(numeric, 3);
    }
  });

  it('is NT-Xent when every class has one image', () => {
    const distinct = Int32Array.from([0, 1, 2, 3, 4, 5]);
    const a = supConLoss(tf.tensor2d(z1), tf.tensor2d(z2), distinct, 0.5).dataSync()[0];
    const b = ntXentLoss(tf.tensor2d(z1), tf.tensor2d(z2), 0.5).dataSync()[0];
    expect(a).toBeCloseTo(b, 5);
  });
});
