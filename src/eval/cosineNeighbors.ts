import * as tf from '@tensorflow/tfjs';
import { assertFeatures, assertSameDim, type Features } from './features.js';
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
  const dim = gallery.dim;
  const blockRows = Math.max(1, Math.min(queries.n, Math.floor(maxBlockValues / nG)));
  // Gallery as dim × n (normalised, transposed here): a matmul with a transposed input is slow on wasm.
  const galleryT = tf.tensor2d(transpose(l2NormalizeRows(gallery), nG, dim), [dim, nG]);
  const normQueries = l2NormalizeRows(queries);
  const scratch = new Float32Array(nG);
  try {
    for (let start = 0; start < queries.n; start += blockRows) {
      const count = Math.min(blockRows, queries.n - start);
      let stride = 0;
      for (let q = 0; q < count; q++) stride = Math.max(stride, kOf(start + q));
      const sims = tf.tidy(() =>
        tf.matMul(tf.tensor2d(normQueries.subarray(start * dim, (start + count) * dim), [count, dim]), galleryT),
      );
      const values = sims.dataSync() as Float32Array;
      sims.dispose();
      const indices = new Int32Array(count * stride);
      const similarities = new Float32Array(count * stride);
      for (let q = 0; q < count; q++) {
        const row = values.subarray(q * nG, (q + 1) * nG);
        const k = kOf(start + q);
        const best = topKIndices(row, k, indices.subarray(q * stride, q * stride + k), scratch);
        for (let i = 0; i < k; i++) similarities[q * stride + i] = row[best[i]];
      }
      visit({ start, count, indices, similarities, stride });
    }
  } finally {
    galleryT.dispose();
  }
}

function l2NormalizeRows(f: Features): Float32Array {
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
function transpose(data: Float32Array, n: number, dim: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) out[j * n + i] = data[i * dim + j];
  return out;
}
