import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { retrievalMetrics } from '../../src/eval/retrieval.js';
import { randomFeatures, randomLabels } from './synthetic.js';
import { bruteForceRanking, queryRow } from './bruteForce.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const unit = (deg: number) => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)];

describe('retrievalMetrics', () => {
  it('gives the hand-computed mAP@R and recall@k on a 2-D example', () => {
    // Gallery on the unit circle at 0°, 20°, 40°, 80°, 60° with labels 0, 1, 0, 0, 1.
    const gallery = { data: Float32Array.from([0, 20, 40, 80, 60].flatMap(unit)), n: 5, dim: 2 };
    const galleryLabels = Int32Array.from([0, 1, 0, 0, 1]);
    // Query A at 0°, label 0: ranking 0°(0) 20°(1) 40°(0) 60°(1) 80°(0); R = 3, relevance of the
    //   top 3 = [1, 0, 1] ⇒ AP@R = (1/3)(1/1 + 0 + 2/3) = 5/9 ≈ 0.5556.
    // Query B at 90°, label 1: ranking 80°(0) 60°(1) 40°(0) 20°(1) 0°(0); R = 2, relevance of the
    //   top 2 = [0, 1] ⇒ AP@R = (1/2)(0 + 1/2) = 1/4.
    // mAP@R = (5/9 + 1/4) / 2 = 29/72. Recall@1: A hits, B misses ⇒ 1/2; recall@2: both ⇒ 1.
    const queries = { data: Float32Array.from([...unit(0), ...unit(90)]), n: 2, dim: 2 };
    const r = retrievalMetrics(gallery, galleryLabels, queries, Int32Array.from([0, 1]), { ks: [1, 2] });
    expect(r.mapAtR).toBeCloseTo(29 / 72, 6);
    expect(r.recallAt).toEqual({ 1: 0.5, 2: 1 });
  });

  it('matches brute-force recall@k and mAP@R on random data, block by block, without leaking tensors', () => {
    // 6 classes in 120 rows: R ≈ 20 (heap top-k); 2 classes in 1300 rows: R ≈ 650 (select top-k)
    for (const [nG, numClasses] of [[120, 6], [1300, 2]]) {
      const gallery = randomFeatures(nG, 10, 5);
      const galleryLabels = randomLabels(nG, numClasses, 5);
      const queries = randomFeatures(37, 10, 6);
      const queryLabels = randomLabels(37, numClasses, 6);
      const ks = [1, 5, 10];

      const hits = ks.map(() => 0);
      let apSum = 0;
      for (let q = 0; q < queries.n; q++) {
        const ranked = bruteForceRanking(gallery, queryRow(queries, q)).map((x) => galleryLabels[x.index] === queryLabels[q]);
        ks.forEach((k, j) => (hits[j] += ranked.slice(0, k).some(Boolean) ? 1 : 0));
        const r = ranked.filter(Boolean).length;
        let relevant = 0;
        let ap = 0;
        for (let i = 1; i <= r; i++) {
          if (!ranked[i - 1]) continue;
          relevant++;
          ap += relevant / i;
        }
        apSum += ap / r;
      }

      const before = tf.memory().numTensors;
      const r = retrievalMetrics(gallery, galleryLabels, queries, queryLabels, { ks, maxBlockValues: 10 * nG });
      expect(tf.memory().numTensors).toBe(before);
      ks.forEach((k, j) => expect(r.recallAt[k]).toBe(hits[j] / queries.n));
      // float32 similarities (tfjs) vs float64 (here) may swap a near-tied pair deep in a
      // 650-long ranking, moving the mean AP by ~1e-7; a wrong rank or precision term moves it
      // by orders of magnitude more.
      expect(r.mapAtR).toBeCloseTo(apSum / queries.n, 6);
    }
  });

  it('leaves a query whose label is absent from the gallery out of mAP@R and counts it as a miss', () => {
    const gallery = { data: Float32Array.from([...unit(0), ...unit(90)]), n: 2, dim: 2 };
    const queries = { data: Float32Array.from([...unit(10), ...unit(10)]), n: 2, dim: 2 };
    const r = retrievalMetrics(gallery, Int32Array.from([0, 1]), queries, Int32Array.from([0, 7]), { ks: [1] });
    expect(r.mapAtR).toBe(1);
    expect(r.recallAt[1]).toBe(0.5);
  });

  it('rejects bad input with a clear message', () => {
    const f = randomFeatures(4, 3, 1);
    const labels = Int32Array.from([0, 1, 0, 1]);
    expect(() => retrievalMetrics(f, labels, f, labels, { ks: [5] })).toThrow(/k in \[1, 4\]/);
    expect(() => retrievalMetrics(f, labels.subarray(1), f, labels)).toThrow(/3 gallery labels for 4 rows/);
  });
});
