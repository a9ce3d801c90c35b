import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { selectBackend } from '../../src/backend/select.js';
import type { Features } from '../../src/eval/features.js';
import { layout2d } from '../../src/explore/layout.js';
import { leaveOneOutKnn, nearestOthers } from '../../src/explore/neighbors.js';
import { bruteForceRanking, queryRow } from '../eval/bruteForce.js';

/** Clustered rows with exact duplicates (rows 1 and 2), so self is not always ranked first. */
function features(n: number, dim: number, seed: number): Features {
  const rng = new Rng(seed);
  const data = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) data[i * dim + j] = (j === i % 4 ? 2 : 0) + rng.normal();
  data.copyWithin(2 * dim, dim, 2 * dim);
  return { data, n, dim };
}

beforeAll(async () => {
  await selectBackend('cpu', { quiet: true });
});

describe('nearestOthers', () => {
  it("ranks each row's other rows as plain loops do, itself left out, duplicates included", () => {
    const f = features(40, 6, 1);
    const before = tf.memory().numTensors;
    const lists = nearestOthers(f, 5);
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < f.n; i++) {
      const want = bruteForceRanking(f, queryRow(f, i)).filter((r) => r.index !== i).slice(0, 5);
      expect(Array.from(lists.indices.subarray(i * 5, i * 5 + 5)), `row ${i}`).toEqual(want.map((r) => r.index));
      want.forEach((r, j) => expect(lists.scores[i * 5 + j]).toBeCloseTo(r.sim, 5));
    }
    expect(lists.indices[1 * 5]).toBe(2); // its duplicate, at cosine 1
    expect(lists.indices[2 * 5]).toBe(1);
  });

  it('caps k at the other rows there are', () => {
    expect(nearestOthers(features(4, 3, 2), 10).k).toBe(3);
  });
});

describe('leaveOneOutKnn', () => {
  it('is the exp(s/τ)-weighted vote of the k nearest other rows (plain loop)', () => {
    const f = features(60, 5, 3);
    const labels = Int32Array.from({ length: f.n }, (_, i) => (i % 4 === 3 ? (i * 7) % 3 : i % 3));
    const k = 7;
    const got = leaveOneOutKnn(nearestOthers(f, 12), labels, 3, k, 0.1);
    for (let i = 0; i < f.n; i++) {
      const votes = [0, 0, 0];
      for (const r of bruteForceRanking(f, queryRow(f, i)).filter((r) => r.index !== i).slice(0, k)) votes[labels[r.index]] += Math.exp(r.sim / 0.1);
      expect(got[i], `row ${i}`).toBe(votes.indexOf(Math.max(...votes)));
    }
  });
});

describe('layout2d', () => {
  it('PCA: spreads rows along their two directions of largest variance, in [0, 1]', () => {
    // rows on a plane spanned by two orthogonal directions (variance 9 and 1) plus tiny noise
    const rng = new Rng(4);
    const n = 50;
    const dim = 8;
    const a = Array.from({ length: n }, () => rng.normal() * 3);
    const b = Array.from({ length: n }, () => rng.normal());
    const data = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) {
      data[i * dim] = 10; // a common offset keeps every row's norm (the layout normalises rows) near 10
      data[i * dim + 1] = a[i];
      data[i * dim + 2] = b[i];
      for (let j = 3; j < dim; j++) data[i * dim + j] = rng.normal() * 1e-3;
    }
    const { positions, method } = layout2d({ data, n, dim }, 'pca', 0);
    expect(method).toBe('pca');
    const xs = Array.from({ length: n }, (_, i) => positions[2 * i]);
    const ys = Array.from({ length: n }, (_, i) => positions[2 * i + 1]);
    for (const v of [...xs, ...ys]) expect(v >= 0 && v <= 1).toBe(true);
    const corr = (u: number[], v: number[]) => {
      const mu = u.reduce((s, x) => s + x, 0) / n;
      const mv = v.reduce((s, x) => s + x, 0) / n;
      let uv = 0, uu = 0, vv = 0;
      for (let i = 0; i < n; i++) [uv, uu, vv] = [uv + (u[i] - mu) * (v[i] - mv), uu + (u[i] - mu) ** 2, vv + (v[i] - mv) ** 2];
      return uv / Math.sqrt(uu * vv);
    };
    expect(Math.abs(corr(xs, a))).toBeGreaterThan(0.99);
    expect(Math.abs(corr(ys, b))).toBeGreaterThan(0.95);
  });

  it('UMAP: the same seed gives the same map; clusters stay apart', () => {
    const f = features(80, 6, 5);
    const one = layout2d(f, 'umap', 7);
    const two = layout2d(f, 'umap', 7);
    expect(one.method).toBe('umap');
    expect(Array.from(two.positions)).toEqual(Array.from(one.positions));
    // mean distance to same-cluster rows (i % 4) is below the mean to the others
    let same = 0, other = 0, ns = 0, no = 0;
    for (let i = 0; i < f.n; i++) for (let j = i + 1; j < f.n; j++) {
      const d = Math.hypot(one.positions[2 * i] - one.positions[2 * j], one.positions[2 * i + 1] - one.positions[2 * j + 1]);
      if (i % 4 === j % 4) [same, ns] = [same + d, ns + 1];
      else [other, no] = [other + d, no + 1];
    }
    expect(same / ns).toBeLessThan((other / no) / 2);
  });
});
