import { assertFeatures, assertSameDim, type Features } from './features.js';
import { forEachNeighborBlock, type NeighborBlock, type NeighborOptions } from './cosineNeighbors.js';

export interface RetrievalOptions extends NeighborOptions {
  /** Cut-offs for recall@k. */
  ks?: number[];
}

export interface RetrievalMetrics {
  /** recall@k: share of queries with at least one same-label item among their k nearest. */
  recallAt: Record<number, number>;
  /** Mean over queries of AP@R (Musgrave et al. 2020), R = gallery items sharing the query's label. */
  mapAtR: number;
}

/**
 * Cosine retrieval of each query in the gallery.
 * AP@R = (1/R) Σ_{i=1..R} P(i)·rel(i), with P(i) the precision among the first i results and
 * rel(i) = 1 when result i shares the query's label. A query whose label has no gallery item
 * (R = 0) has no AP@R: it is left out of the mean (and counts as a miss for recall@k).
 */
export function retrievalMetrics(
  gallery: Features,
  galleryLabels: Int32Array,
  queries: Features,
  queryLabels: Int32Array,
  { ks = [1, 5], ...neighborOpts }: RetrievalOptions = {},
): RetrievalMetrics {
  assertFeatures(gallery, 'gallery features');
  assertFeatures(queries, 'query features');
  assertSameDim(gallery, queries, 'gallery features', 'query features');
  if (galleryLabels.length !== gallery.n) throw new Error(`${galleryLabels.length} gallery labels for ${gallery.n} rows`);
  if (queryLabels.length !== queries.n) throw new Error(`${queryLabels.length} query labels for ${queries.n} rows`);
  for (const k of ks) {
    if (!(Number.isInteger(k) && k >= 1 && k <= gallery.n)) {
      throw new Error(`recall@k needs integer k in [1, ${gallery.n}] (got ${k})`);
    }
  }
  const scorer = retrievalScorer(galleryLabels, queryLabels, ks);
  forEachNeighborBlock(gallery, queries, scorer.kOf, scorer.visit, neighborOpts);
  return scorer.metrics();
}

/**
 * Recall@k and AP@R over neighbour blocks: query q needs its `kOf(q)` = max(k, R) nearest
 * gallery items, best first (blocks may hold more when one pass also serves kNN).
 */
export function retrievalScorer(galleryLabels: Int32Array, queryLabels: Int32Array, ks: number[]) {
  const galleryCount = new Map<number, number>();
  for (const l of galleryLabels) galleryCount.set(l, (galleryCount.get(l) ?? 0) + 1);
  const kMax = Math.max(...ks);
  const rOf = (q: number) => galleryCount.get(queryLabels[q]) ?? 0;

  const recallHits = ks.map(() => 0);
  let apSum = 0;
  let apCount = 0;
  const visit = ({ start, count, indices, stride }: NeighborBlock): void => {
    for (let q = 0; q < count; q++) {
      const label = queryLabels[start + q];
      const r = rOf(start + q);
      const ranked = indices.subarray(q * stride, q * stride + Math.max(kMax, r));
      // rank (1-based) of the first relevant result, Infinity if none in the list
      let firstHit = Infinity;
      let relevantSoFar = 0;
      let ap = 0;
      for (let i = 0; i < ranked.length; i++) {
        if (galleryLabels[ranked[i]] !== label) continue;
        if (firstHit === Infinity) firstHit = i + 1;
        if (i < r) {
          relevantSoFar++;
          ap += relevantSoFar / (i + 1);
        }
      }
      ks.forEach((k, j) => {
        if (firstHit <= k) recallHits[j]++;
      });
      if (r > 0) {
        apSum += ap / r;
        apCount++;
      }
    }
  };
  const metrics = (): RetrievalMetrics => {
    const recallAt: Record<number, number> = {};
    ks.forEach((k, j) => (recallAt[k] = recallHits[j] / queryLabels.length));
    return { recallAt, mapAtR: apCount > 0 ? apSum / apCount : NaN };
  };
  return { kOf: (q: number) => Math.max(kMax, rOf(q)), visit, metrics };
}

