import { l2NormalizeRows } from './cosineNeighbors.js';
import { assertFeatures, type Features } from './features.js';
import { forEachSimilarityBlock } from './similarityBlocks.js';

/** Retrieval of each image's held-out partner (simclr probe --pairs). */
export interface PairRetrieval {
  /** Ordered (query, partner) pairs scored: each pair both ways. */
  queries: number;
  /** recall@k: share of queries whose partner is among their k nearest other images. */
  recallAt: Record<number, number>;
  /** Mean over queries of 1 / rank of the partner. */
  mrr: number;
}

export const PAIR_RECALL_KS = [1, 5, 10] as const;

/**
 * Cosine retrieval of the partner: for each pair (a, b), a searches all other images and b is
 * ranked (1 + the images other than a and b scoring strictly higher than b: ties favour the
 * partner), and the same from b. When a has several partners, each is ranked on its own.
 */
export function pairRetrieval(features: Features, pairs: ReadonlyArray<readonly [number, number]>, ks: readonly number[] = PAIR_RECALL_KS): PairRetrieval {
  assertFeatures(features, 'pair retrieval features');
  const { n, dim } = features;
  if (pairs.length === 0) throw new Error('pair retrieval needs at least one pair');
  const unit = l2NormalizeRows(features);
  const partnersOf = new Map<number, number[]>();
  for (const [a, b] of pairs) {
    if (!(a >= 0 && b >= 0 && a < n && b < n && a !== b)) throw new Error(`pair retrieval: pair (${a}, ${b}) is not two of the ${n} images`);
    (partnersOf.get(a) ?? partnersOf.set(a, []).get(a)!).push(b);
    (partnersOf.get(b) ?? partnersOf.set(b, []).get(b)!).push(a);
  }
  const hits = ks.map(() => 0);
  let reciprocal = 0;
  let queries = 0;
  // Each query's similarities to every image, a block of queries per matmul (a plain loop took
  // ~100 s for 10k raw 28 × 28 × 3 test images).
  const queryRows = [...partnersOf.keys()];
  const rowsOf = (start: number, count: number) => {
    const rows = new Float32Array(count * dim);
    for (let i = 0; i < count; i++) rows.set(unit.subarray(queryRows[start + i] * dim, (queryRows[start + i] + 1) * dim), i * dim);
    return rows;
  };
  forEachSimilarityBlock(unit, n, dim, queryRows.length, rowsOf, (start, count, values) => {
    for (let i = 0; i < count; i++) {
      const q = queryRows[start + i];
      const scores = values.subarray(i * n, (i + 1) * n);
      for (const p of partnersOf.get(q)!) {
        let rank = 1;
        for (let j = 0; j < n; j++) if (j !== q && j !== p && scores[j] > scores[p]) rank++;
        ks.forEach((k, h) => rank <= k && hits[h]++);
        reciprocal += 1 / rank;
        queries++;
      }
    }
  });
  return { queries, recallAt: Object.fromEntries(ks.map((k, i) => [k, hits[i] / queries])), mrr: reciprocal / queries };
}
