import { assertFeatures, assertLabels, assertSameDim, type Features } from './features.js';
import { forEachNeighborBlock, type NeighborBlock, type NeighborOptions } from './cosineNeighbors.js';
import { argmaxRows } from './classifierScores.js';

/** The InstDisc / SimCLR-community kNN monitor's settings: 20 neighbours, votes exp(s / 0.07). */
export const KNN_DEFAULTS = { k: 20, temperature: 0.07 } as const;

export interface KnnOptions extends NeighborOptions {
  k?: number;
  /** Vote weight of a neighbour at cosine similarity s is exp(s / temperature). */
  temperature?: number;
  /** When given, `top1` is reported. */
  testLabels?: Int32Array;
}

export interface KnnResult {
  predictions: Int32Array;
  /** Share of test rows predicted right; present when `testLabels` was given. */
  top1?: number;
}

/**
 * Weighted cosine kNN classifier (Wu et al. 2018, InstDisc; the kNN monitor of the SimCLR
 * community): the k most similar training rows vote for their class with weight exp(s/τ),
 * the class with the largest total wins (lowest class index on an exact tie).
 */
export function knnClassify(
  train: Features,
  trainLabels: Int32Array,
  test: Features,
  numClasses: number,
  { k = KNN_DEFAULTS.k, temperature = KNN_DEFAULTS.temperature, testLabels, ...neighborOpts }: KnnOptions = {},
): KnnResult {
  assertFeatures(train, 'kNN train features');
  assertLabels(trainLabels, train.n, numClasses, 'kNN train labels');
  assertSameDim(train, test, 'kNN train features', 'kNN test features');
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`kNN k must be an integer >= 1 (got ${k})`);
  if (!(temperature > 0)) throw new Error(`kNN temperature must be > 0 (got ${temperature})`);
  if (testLabels) assertLabels(testLabels, test.n, numClasses, 'kNN test labels');
  const voter = knnVoter(trainLabels, test.n, numClasses, Math.min(k, train.n), temperature);
  forEachNeighborBlock(train, test, () => voter.k, voter.visit, neighborOpts);
  const predictions = voter.predictions();
  if (!testLabels) return { predictions };
  let hits = 0;
  for (let i = 0; i < test.n; i++) if (predictions[i] === testLabels[i]) hits++;
  return { predictions, top1: hits / test.n };
}

/**
 * The kNN vote over neighbour blocks: the first `k` neighbours of each query (the blocks may
 * hold more, best first, when one pass also serves retrieval) vote with weight exp(s/τ).
 */
export function knnVoter(trainLabels: Int32Array, nTest: number, numClasses: number, k: number, temperature: number) {
  const votes = new Float64Array(nTest * numClasses);
  return {
    k,
    visit({ start, count, indices, similarities, stride }: NeighborBlock): void {
      for (let q = 0; q < count; q++) {
        const row = (start + q) * numClasses;
        for (let i = 0; i < k; i++) {
          votes[row + trainLabels[indices[q * stride + i]]] += Math.exp(similarities[q * stride + i] / temperature);
        }
      }
    },
    predictions: (): Int32Array => argmaxRows(votes, nTest, numClasses),
  };
}
