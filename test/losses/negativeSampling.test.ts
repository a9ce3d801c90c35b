import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { viewLogits } from '../../src/losses/contrastiveLogits.js';
import { pairMasks } from '../../src/losses/contrastiveMasks.js';
import { l2Normalize } from '../../src/losses/distances.js';
import { KeyQueue } from '../../src/losses/keyQueue.js';
import { mocoLogits } from '../../src/losses/moco.js';
import { drawNegatives, stepNegatives } from '../../src/losses/negativeSampling.js';
import { softmaxCrossEntropy } from '../../src/losses/softmaxCrossEntropy.js';
import { dot, expectClose, numericGradient, randomMatrix, refInfoNce, tfGradients, tfValue, unitRows, withoutLeaks } from './reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('drawNegatives', () => {
  it('draws K distinct columns, uniformly (frequencies over 20 000 draws), all when there are no more', () => {
    const columns = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29];
    const rng = new Rng(5);
    const counts = new Map<number, number>();
    const draws = 20_000;
    for (let t = 0; t < draws; t++) {
      const got = drawNegatives(columns, 3, rng);
      expect(new Set(got).size).toBe(3);
      for (const c of got) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    // Each column is in a draw with p = 3/10: 6000 expected, σ ≈ 65.
    for (const c of columns) expect(Math.abs(counts.get(c)! - 6000)).toBeLessThan(300);
    expect(drawNegatives([4, 1], 3, rng)).toEqual([4, 1]);
  });
});

// 4 images, 8 views; anchor v's positive is view (v + 4) mod 8, its 6 negatives are the rest.
const b = 4;
const labels = Int32Array.from({ length: 2 * b }, (_, v) => v % b);

describe('negative sampling in the masks of the contrastive core', () => {
  it('keeps K of each anchor’s negatives and every positive; the same (seed, step) draws the same', () => {
    withoutLeaks(() => {
      const masks = (seed: number, step: number) => {
        const m = pairMasks({ anchorLabels: labels, candidateLabels: labels, selfOffset: 0, sampleNegatives: stepNegatives(2, seed, step) });
        const out = { positive: m.positive.arraySync(), negative: m.negative.arraySync(), excluded: m.excluded.arraySync(), perAnchor: m.negativesPerAnchor };
        tf.dispose([m.positive, m.negative, m.excluded]);
        return out;
      };
      const a = masks(3, 10);
      expect(a.perAnchor).toBe(2);
      for (let v = 0; v < 2 * b; v++) {
        expect(a.negative[v].reduce((x, y) => x + y)).toBe(2);
        expect(a.positive[v][(v + b) % (2 * b)]).toBe(1);
        for (let w = 0; w < 2 * b; w++) {
          if (a.negative[v][w]) expect(w % b).not.toBe(v % b);
          expect(a.positive[v][w] + a.negative[v][w] + a.excluded[v][w]).toBe(1);
        }
      }
      expect(masks(3, 10)).toEqual(a);
      expect(masks(3, 11).negative).not.toEqual(a.negative);
    });
  });

  it('NT-Xent with K drawn negatives matches a plain-loop reference with the same draws, and finite differences', () => {
    const rng = Rng.derive(41);
    const z1 = randomMatrix(rng, b, 3);
    const z2 = randomMatrix(rng, b, 3);
    const tau = 0.5;
    const k = 3;
    // The reference: anchor by anchor, its negatives listed in column order, K of them drawn by
    // the same draw function from the same (seed, step) stream; cross-entropy over positive + drawn.
    const ref = (a: number[][], c: number[][]) => {
      const u = unitRows([...a, ...c]);
      const draws = stepNegatives(k, 9, 2).rng;
      let total = 0;
      for (let v = 0; v < 2 * b; v++) {
        const p = (v + b) % (2 * b);
        const negatives = [...Array(2 * b).keys()].filter((w) => w !== v && w !== p);
        const kept = drawNegatives(negatives, k, draws);
        const denominator = [p, ...kept].reduce((s, w) => s + Math.exp(dot(u[v], u[w]) / tau), 0);
        total -= Math.log(Math.exp(dot(u[v], u[p]) / tau) / denominator);
      }
      return total / (2 * b);
    };
    const loss = (a: tf.Tensor2D, c: tf.Tensor2D) => tf.tidy(() => softmaxCrossEntropy(viewLogits(a, c, { temperature: tau, sampleNegatives: stepNegatives(k, 9, 2) })));
    const all = (a: tf.Tensor2D, c: tf.Tensor2D) => tf.tidy(() => softmaxCrossEntropy(viewLogits(a, c, { temperature: tau })));
    withoutLeaks(() => {
      expectClose([tfValue(loss, z1, z2)], [ref(z1, z2)]);
      expect(Math.abs(tfValue(all, z1, z2) - ref(z1, z2))).toBeGreaterThan(1e-3);
      const [g1, g2] = tfGradients(loss, z1, z2);
      expectClose(g1, numericGradient((x) => ref(x, z2), z1).flat(), 1e-2, 2e-4);
      expectClose(g2, numericGradient((x) => ref(z1, x), z2).flat(), 1e-2, 2e-4);
    });
  });
});

describe('negative sampling from the MoCo queue', () => {
  it('each query keeps K queue entries drawn for it: a plain-loop reference with the same draws, finite differences, K logged', () => {
    const rng = Rng.derive(43);
    const [n, d, size, k, tau] = [3, 4, 7, 3, 0.2];
    const q = randomMatrix(rng, n, d);
    const key = randomMatrix(rng, n, d);
    const queueRows = unitRows(randomMatrix(rng, size, d));
    const queue = new KeyQueue(size, d);
    const keys = tf.tensor2d(queueRows);
    queue.enqueue(keys);
    keys.dispose();
    // The reference: query by query, K of the queue's rows drawn by the same draw function
    // from the same (seed, step) stream; InfoNCE of the key against the drawn rows.
    const ref = (x: number[][]) => {
      const draws = stepNegatives(k, 5, 7).rng;
      const qn = unitRows(x);
      const kn = unitRows(key);
      const drawn = qn.map(() => drawNegatives([...Array(size).keys()], k, draws));
      return refInfoNce(qn.map((row, b) => dot(row, kn[b])), qn.map((row, b) => drawn[b].map((j) => dot(row, queueRows[j]))), tau);
    };
    let perAnchor = NaN;
    const loss = (x: tf.Tensor2D, kk: tf.Tensor2D) =>
      tf.tidy(() => {
        const logits = mocoLogits(x, kk, queue, tau, stepNegatives(k, 5, 7));
        perAnchor = logits.negativesPerAnchor;
        return softmaxCrossEntropy(logits);
      });
    const full = (x: tf.Tensor2D, kk: tf.Tensor2D) => tf.tidy(() => softmaxCrossEntropy(mocoLogits(x, kk, queue, tau)));
    withoutLeaks(() => {
      expectClose([tfValue(loss, q, key)], [ref(q)]);
      expect(perAnchor).toBe(k);
      expect(Math.abs(tfValue(full, q, key) - ref(q))).toBeGreaterThan(1e-3);
      const [g, gKey] = tfGradients(loss, q, key);
      expectClose(g, numericGradient(ref, q).flat(), 1e-2, 2e-4);
      expect(Array.from(gKey).every((v) => v === 0)).toBe(true); // the key's gradient is stopped
    });
    queue.dispose();
  });
});
