/**
 * Scores of a classifier from its per-class scores (logits or votes), row-major n × C.
 * A row counts as a top-k hit when fewer than k classes score strictly higher than the true
 * class (so exact ties never count against it).
 */
export function topKAccuracy(scores: Float32Array | Float64Array, labels: Int32Array, numClasses: number, k: number): number {
  let total = 0;
  for (const hit of topKHits(scores, labels, numClasses, k)) total += hit;
  return total / labels.length;
}

/** Per row, 1 when it is a top-k hit (as in `topKAccuracy`), else 0. */
export function topKHits(scores: Float32Array | Float64Array, labels: Int32Array, numClasses: number, k: number): Uint8Array {
  const n = labels.length;
  const hits = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const row = i * numClasses;
    const truth = scores[row + labels[i]];
    let higher = 0;
    for (let c = 0; c < numClasses; c++) if (scores[row + c] > truth) higher++;
    if (higher < k) hits[i] = 1;
  }
  return hits;
}

/** Mean softmax cross-entropy of logits (row-major n × C) against labels. */
export function meanCrossEntropy(logits: Float32Array, labels: Int32Array, numClasses: number): number {
  const n = labels.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = i * numClasses;
    let max = -Infinity;
    for (let c = 0; c < numClasses; c++) max = Math.max(max, logits[row + c]);
    let sum = 0;
    for (let c = 0; c < numClasses; c++) sum += Math.exp(logits[row + c] - max);
    total += max + Math.log(sum) - logits[row + labels[i]];
  }
  return total / n;
}

/** Index of the largest score in each row; the lowest index wins a tie. */
export function argmaxRows(scores: Float32Array | Float64Array, n: number, numClasses: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const row = i * numClasses;
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (scores[row + c] > scores[row + best]) best = c;
    out[i] = best;
  }
  return out;
}
