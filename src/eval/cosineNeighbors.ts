import { assertFeatures, assertSameDim, type Features } from './features.js';
import { groupEqualColumns, type ColumnGroups } from './equalColumns.js';
import { forEachSimilarityBlock } from './similarityBlocks.js';
import { topKIndices } from './topK.js';

/** The nearest gallery rows of a block of consecutive query rows. */
export interface NeighborBlock {
  /** First query row of the block. */
  start: number;
  /** Query rows in the block. */
  count: number;
  /** Gallery indices of each query's neighbours, best first: block row q at [q·stride, q·stride + kOf(start + q)). */
  indices: Int32Array;
  /** Cosine similarities, aligned with `indices`. */
  similarities: Float32Array;
  /** Stride of `indices` / `similarities` per query. */
  stride: number;
}

export interface NeighborOptions {
  /** Most similarity values held at once (block rows × gallery size): bounds memory. */
  maxBlockValues?: number;
}

/**
 * Cosine nearest neighbours of every query in the gallery, delivered block by block so memory
 * stays bounded (a 10k × 60k similarity matrix would be 2.4 GB). `kOf(q)` is how many neighbours
 * query q needs (≤ gallery size). Rows are L2-normalised first; an all-zero row stays zero, so
 * its similarity to everything is 0. The matmul runs on the active tfjs backend; selection is
 * plain TypeScript (exact tie order: lower gallery index first).
 */
export function forEachNeighborBlock(
  gallery: Features,
  queries: Features,
  kOf: (query: number) => number,
  visit: (block: NeighborBlock) => void,
  { maxBlockValues = 1 << 24 }: NeighborOptions = {},
): void {
  assertFeatures(gallery, 'gallery features');
  assertFeatures(queries, 'query features');
  assertSameDim(gallery, queries, 'gallery features', 'query features');
  const nG = gallery.n;
  const { gallery: unitGallery, queries: normQueries, dim } = mergedUnitRows(gallery, queries);
  const scratch = new Float32Array(nG);
  forEachSimilarityBlock(
    unitGallery,
    nG,
    dim,
    queries.n,
    (start, count) => normQueries.subarray(start * dim, (start + count) * dim),
    (start, count, values) => {
      let stride = 0;
      for (let q = 0; q < count; q++) stride = Math.max(stride, kOf(start + q));
      const indices = new Int32Array(count * stride);
      const similarities = new Float32Array(count * stride);
      for (let q = 0; q < count; q++) {
        const row = values.subarray(q * nG, (q + 1) * nG);
        const k = kOf(start + q);
        const best = topKIndices(row, k, indices.subarray(q * stride, q * stride + k), scratch);
        for (let i = 0; i < k; i++) similarities[q * stride + i] = row[best[i]];
      }
      visit({ start, count, indices, similarities, stride });
    },
    maxBlockValues,
  );
}

/**
 * Both sets L2-normalised by row, then with repeated columns merged: a group of k columns equal
 * in the gallery and in the queries becomes one column scaled by √k, and a column that is zero
 * in the whole gallery is left out. Every gallery–query dot product stays the same (k·g·q =
 * √k·g · √k·q; a zero gallery column adds nothing), at a third of the cost for grayscale
 * images as RGB pixels. Without such columns, the normalised rows as they are.
 */
export function mergedUnitRows(gallery: Features, queries: Features): { gallery: Float32Array; queries: Float32Array; dim: number } {
  // Grouped on the raw columns (equal ones stay equal once rows are scaled), then normalised and
  // merged in one pass: no full-width normalised copy of a 60k × 3072 gallery.
  const groups = groupEqualColumns(gallery);
  if (groups.representative.length === gallery.dim || !queriesKeepGroups(queries, groups.groupOf, groups.representative)) {
    return { gallery: l2NormalizeRows(gallery), queries: l2NormalizeRows(queries), dim: gallery.dim };
  }
  return { gallery: unitMergedRows(gallery, groups), queries: unitMergedRows(queries, groups), dim: groups.representative.length };
}

/** Whether every column of a gallery group equals its representative in the queries too. */
function queriesKeepGroups(q: Features, groupOf: Int32Array, representative: Int32Array): boolean {
  for (let i = 0; i < q.n; i++) {
    const row = i * q.dim;
    for (let j = 0; j < q.dim; j++) {
      const group = groupOf[j];
      if (group >= 0 && q.data[row + j] !== q.data[row + representative[group]]) return false;
    }
  }
  return true;
}

/** l2NormalizeRows then mergeColumns, in one pass and with the same float32 values (the norm is over every column). */
function unitMergedRows(f: Features, g: ColumnGroups): Float32Array {
  const reduced = g.representative.length;
  const out = new Float32Array(f.n * reduced);
  const scale = Float32Array.from(g.size, (k) => Math.sqrt(k));
  for (let i = 0; i < f.n; i++) {
    const row = i * f.dim;
    let sq = 0;
    for (let j = 0; j < f.dim; j++) sq += f.data[row + j] * f.data[row + j];
    const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    for (let r = 0; r < reduced; r++) out[i * reduced + r] = Math.fround(f.data[row + g.representative[r]] * inv) * scale[r];
  }
  return out;
}

/** Each row scaled to unit length (an all-zero row stays zero). */
export function l2NormalizeRows(f: Features): Float32Array {
  const out = new Float32Array(f.data.length);
  for (let i = 0; i < f.n; i++) {
    const row = i * f.dim;
    let sq = 0;
    for (let j = 0; j < f.dim; j++) sq += f.data[row + j] * f.data[row + j];
    const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    for (let j = 0; j < f.dim; j++) out[row + j] = f.data[row + j] * inv;
  }
  return out;
}

/** Row-major n × dim → row-major dim × n. */
