import { argmaxRows } from '../eval/classifierScores.js';
import { forEachNeighborBlock } from '../eval/cosineNeighbors.js';
import { KNN_DEFAULTS } from '../eval/knn.js';
import type { Features } from '../eval/features.js';

/** Each row's k nearest other rows (cosine, best first; ties: lower index first), n × k. */
export interface NeighborLists {
  k: number;
  indices: Int32Array;
  scores: Float32Array;
}

/** The k most cosine-similar other images of every image (itself left out). */
export function nearestOthers(f: Features, k: number): NeighborLists {
  const kUsed = Math.min(k, f.n - 1);
  const indices = new Int32Array(f.n * kUsed);
  const scores = new Float32Array(f.n * kUsed);
  // one extra, as the row itself is among its own nearest (not always first when rows repeat)
  forEachNeighborBlock(f, f, () => Math.min(kUsed + 1, f.n), ({ start, count, indices: idx, similarities, stride }) => {
    for (let q = 0; q < count; q++) {
      const row = start + q;
      let taken = 0;
      for (let i = 0; i < stride && taken < kUsed; i++) {
        const j = idx[q * stride + i];
        if (j === row) continue;
        indices[row * kUsed + taken] = j;
        scores[row * kUsed + taken] = similarities[q * stride + i];
        taken++;
      }
    }
  });
  return { k: kUsed, indices, scores };
}

/**
 * Leave-one-out kNN class of every image from its own neighbour lists: the weighted vote of
 * knnClassify (weight exp(s/τ), lowest class on a tie) over the first k other images.
 */
export function leaveOneOutKnn(
  lists: NeighborLists,
  labels: Int32Array,
  numClasses: number,
  k: number = KNN_DEFAULTS.k,
  temperature: number = KNN_DEFAULTS.temperature,
): Int32Array {
  const n = labels.length;
  const kUsed = Math.min(k, lists.k);
  const votes = new Float64Array(n * numClasses);
  for (let q = 0; q < n; q++) {
    for (let i = 0; i < kUsed; i++) {
      const at = q * lists.k + i;
      votes[q * numClasses + labels[lists.indices[at]]] += Math.exp(lists.scores[at] / temperature);
    }
  }
  return argmaxRows(votes, n, numClasses);
}
