import { forEachNeighborBlock } from './cosineNeighbors.js';
import { assertFeatures, assertLabels, assertSameDim, type Features } from './features.js';
import { knnVoter } from './knn.js';
import { retrievalScorer, type RetrievalMetrics } from './retrieval.js';

export interface NeighbourScoreOptions {
  k?: number;
  temperature?: number;
  ks?: number[];
  maxBlockValues?: number;
}

/**
 * kNN top-1 and retrieval (recall@k, mAP@R) from one neighbour search: the test × train
 * similarity matmul is the expensive part (10k × 60k × 3072 for raw Fashion-MNIST pixels), and
 * both need it; each query's list is as long as the longer of the two needs, and each reads
 * its own prefix. The same figures as `knnClassify` and `retrievalMetrics` called apart.
 */
export function knnAndRetrieval(
  train: Features,
  trainLabels: Int32Array,
  test: Features,
  testLabels: Int32Array,
  numClasses: number,
  { k = 20, temperature = 0.07, ks = [1, 5], maxBlockValues }: NeighbourScoreOptions = {},
): { knn: { top1: number }; retrieval: RetrievalMetrics } {
  assertFeatures(train, 'kNN train features');
  assertSameDim(train, test, 'kNN train features', 'kNN test features');
  assertLabels(trainLabels, train.n, numClasses, 'kNN train labels');
  assertLabels(testLabels, test.n, numClasses, 'kNN test labels');
  for (const kk of ks) if (!(Number.isInteger(kk) && kk >= 1 && kk <= train.n)) throw new Error(`recall@k needs integer k in [1, ${train.n}] (got ${kk})`);
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`kNN k must be an integer >= 1 (got ${k})`);
  if (!(temperature > 0)) throw new Error(`kNN temperature must be > 0 (got ${temperature})`);
  const voter = knnVoter(trainLabels, test.n, numClasses, Math.min(k, train.n), temperature);
  const scorer = retrievalScorer(trainLabels, testLabels, ks);
  forEachNeighborBlock(
    train,
    test,
    (q) => Math.max(voter.k, scorer.kOf(q)),
    (block) => {
      voter.visit(block);
      scorer.visit(block);
    },
    { maxBlockValues },
  );
  const predictions = voter.predictions();
  let hits = 0;
  for (let i = 0; i < test.n; i++) if (predictions[i] === testLabels[i]) hits++;
  return { knn: { top1: hits / test.n }, retrieval: scorer.metrics() };
}
