import * as tf from '@tensorflow/tfjs';

/**
 * Dot products of query rows with every gallery row, one block of consecutive queries at a
 * time (block rows × gallery size ≤ maxBlockValues, so a 10k × 60k matrix is never whole), each
 * block one matmul on the active tfjs backend. `queryRows(start, count)` gives the block's rows
 * (count × dim); `visit` gets the block's similarities, row-major count × nGallery, valid only
 * during the call.
 */
export function forEachSimilarityBlock(
  gallery: Float32Array,
  nGallery: number,
  dim: number,
  nQueries: number,
  queryRows: (start: number, count: number) => Float32Array,
  visit: (start: number, count: number, similarities: Float32Array) => void,
  maxBlockValues = 1 << 24,
): void {
  const blockRows = Math.max(1, Math.min(nQueries, Math.floor(maxBlockValues / nGallery)));
  // Gallery as dim × n, transposed here once: a matmul with a transposed input is slow on wasm.
  const galleryT = tf.tensor2d(transpose(gallery, nGallery, dim), [dim, nGallery]);
  try {
    for (let start = 0; start < nQueries; start += blockRows) {
      const count = Math.min(blockRows, nQueries - start);
      const sims = tf.tidy(() => tf.matMul(tf.tensor2d(queryRows(start, count), [count, dim]), galleryT));
      const values = sims.dataSync() as Float32Array;
      sims.dispose();
      visit(start, count, values);
    }
  } finally {
    galleryT.dispose();
  }
}

function transpose(data: Float32Array, n: number, dim: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) out[j * n + i] = data[i * dim + j];
  return out;
}
