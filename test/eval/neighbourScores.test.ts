import { describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { knnClassify } from '../../src/eval/knn.js';
import { knnAndRetrieval } from '../../src/eval/neighbourScores.js';
import { retrievalMetrics } from '../../src/eval/retrieval.js';

function features(n: number, dim: number, seed: number, quantise: boolean) {
  const rng = new Rng(seed);
  // Quantised values make exact similarity ties, where the order rule (lower index first) matters.
  const data = Float32Array.from({ length: n * dim }, () => (quantise ? Math.round(2 * rng.normal()) : rng.normal()));
  return { data, n, dim };
}

describe('knnAndRetrieval', () => {
  it('gives exactly the figures of knnClassify and retrievalMetrics run apart, ties included, across blocks', () => {
    for (const quantise of [false, true]) {
      const train = features(300, 6, 1, quantise);
      const test = features(70, 6, 2, quantise);
      const rng = new Rng(3);
      const trainLabels = Int32Array.from({ length: 300 }, () => rng.int(4));
      const testLabels = Int32Array.from({ length: 70 }, () => rng.int(4));
      // Small blocks: several passes over the queries, each list as long as the larger need.
      const opts = { k: 7, temperature: 0.1, ks: [1, 5, 10], maxBlockValues: 300 * 16 };
      const both = knnAndRetrieval(train, trainLabels, test, testLabels, 4, opts);
      const knn = knnClassify(train, trainLabels, test, 4, { k: 7, temperature: 0.1, testLabels });
      const retrieval = retrievalMetrics(train, trainLabels, test, testLabels, { ks: [1, 5, 10] });
      expect(both.knn.top1).toBe(knn.top1);
      expect(both.retrieval).toEqual(retrieval);
    }
  });
});
