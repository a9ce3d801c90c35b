import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { knnClassify } from '../../src/eval/knn.js';
import { randomFeatures, randomLabels } from './synthetic.js';
import { bruteForceRanking, queryRow } from './bruteForce.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('knnClassify', () => {
  it('predicts exactly what a brute-force weighted cosine kNN predicts, block by block', () => {
    const [numClasses, k, temperature] = [4, 7, 0.1];
    const train = randomFeatures(300, 12, 1);
    const trainLabels = randomLabels(300, numClasses, 1);
    const test = randomFeatures(41, 12, 2);
    const testLabels = randomLabels(41, numClasses, 2);

    const expected = new Int32Array(test.n);
    for (let q = 0; q < test.n; q++) {
      const votes = new Array<number>(numClasses).fill(0);
      for (const { index, sim } of bruteForceRanking(train, queryRow(test, q)).slice(0, k)) {
        votes[trainLabels[index]] += Math.exp(sim / temperature);
      }
      expected[q] = votes.indexOf(Math.max(...votes));
    }
    const hits = expected.filter((p, i) => p === testLabels[i]).length;

    const before = tf.memory().numTensors;
    // 3000 values per block = 10 query rows: several blocks and a ragged last one.
    const r = knnClassify(train, trainLabels, test, numClasses, { k, temperature, testLabels, maxBlockValues: 3000 });
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(r.predictions)).toEqual(Array.from(expected));
    expect(r.top1).toBe(hits / test.n);
    expect(knnClassify(train, trainLabels, test, numClasses, { k, temperature }).top1).toBeUndefined();
  });

  it('classifies points next to their own cluster, with the default k = 20 and τ = 0.07', () => {
    // Two well separated directions: every neighbour of a test point is of its class.
    const make = (n: number, seed: number) => {
      const f = randomFeatures(n, 6, seed);
      const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
      for (let i = 0; i < n; i++) f.data[i * 6 + labels[i]] += 20;
      return { f, labels };
    };
    const a = make(100, 3);
    const b = make(30, 4);
    expect(knnClassify(a.f, a.labels, b.f, 2, { testLabels: b.labels }).top1).toBe(1);
  });

  it('rejects bad input with a clear message', () => {
    const f = randomFeatures(5, 3, 1);
    const labels = Int32Array.from([0, 1, 0, 1, 0]);
    expect(() => knnClassify(f, labels, f, 2, { k: 0 })).toThrow(/k must be an integer >= 1/);
    expect(() => knnClassify(f, labels, f, 2, { temperature: 0 })).toThrow(/temperature must be > 0/);
    expect(() => knnClassify(f, labels, randomFeatures(2, 4, 1), 2)).toThrow(/dim 3 but .* dim 4/);
    expect(() => knnClassify(f, labels, f, 2, { testLabels: Int32Array.from([0, 1]) })).toThrow(/2 labels for 5 rows/);
  });
});
