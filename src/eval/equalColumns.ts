import type { Features } from './features.js';
import type { Standardizer } from './standardize.js';

/**
 * Columns of a feature matrix that are exact copies of each other, or all zero. Raw pixels of
 * grayscale images fed as RGB repeat every column three times (Fashion-MNIST: 3072 columns, 1024
 * distinct), and a pixel constant over the training set standardises to zero.
 */
export interface ColumnGroups {
  /** First column of each group of equal, non-zero columns. */
  representative: Int32Array;
  /** Columns in each group. */
  size: Int32Array;
  /** Group of each original column, −1 for an all-zero column. */
  groupOf: Int32Array;
}

export interface GroupOptions {
  /**
   * Drop every column that is constant over the rows, not only all-zero ones: for grouping raw
   * features before standardising, where a constant column standardises to exactly zero.
   */
  dropConstant?: boolean;
}

export function groupEqualColumns(x: Features, { dropConstant = false }: GroupOptions = {}): ColumnGroups {
  const { data, n, dim } = x;
  // One pass over the rows hashes every column (row-major data: columns are strided).
  const hash = new Uint32Array(dim).fill(2166136261);
  const kept = new Uint8Array(dim);
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  for (let i = 0; i < n; i++) {
    const row = i * dim;
    for (let j = 0; j < dim; j++) {
      const v = data[row + j];
      // −0 and +0 are the same value: hash them alike.
      const b = v === 0 ? 0 : bits[row + j];
      if (dropConstant ? v !== data[j] : b !== 0) kept[j] = 1;
      hash[j] = Math.imul(hash[j] ^ b, 16777619);
    }
  }
  const groupOf = new Int32Array(dim).fill(-1);
  const representative: number[] = [];
  const byHash = new Map<number, number>();
  for (let j = 0; j < dim; j++) {
    if (!kept[j]) continue;
    const same = byHash.get(hash[j]);
    if (same !== undefined) {
      groupOf[j] = same;
      continue;
    }
    groupOf[j] = representative.length;
    byHash.set(hash[j], representative.length);
    representative.push(j);
  }
  // Equal hashes are then checked value by value, again row by row (a column-by-column check
  // strides through memory and took seconds on 60k × 3072): a collision never merges different
  // columns; a column that differs from its group's first column stands alone instead.
  const members: number[] = [];
  for (let j = 0; j < dim; j++) if (groupOf[j] >= 0 && representative[groupOf[j]] !== j) members.push(j);
  const differs = new Uint8Array(dim);
  for (let i = 0; i < n && members.length > 0; i++) {
    const row = i * dim;
    for (const j of members) if (data[row + j] !== data[row + representative[groupOf[j]]]) differs[j] = 1;
  }
  for (const j of members) {
    if (!differs[j]) continue;
    groupOf[j] = representative.length;
    representative.push(j);
  }
  const size = new Int32Array(representative.length);
  for (let j = 0; j < dim; j++) if (groupOf[j] >= 0) size[groupOf[j]]++;
  return { representative: Int32Array.from(representative), size, groupOf };
}

/**
 * One column per group, scaled by √size. With an L2 penalty on the weights this is the same
 * problem: the optimum splits a group's weight equally over its k copies (strict convexity and
 * symmetry), and k copies of weight w/√k cost λ/2·w² — what one column √k·x with weight w costs.
 */
export function mergeColumns(x: Features, g: ColumnGroups): Features {
  const reduced = g.representative.length;
  const out = new Float32Array(x.n * reduced);
  const scale = Float32Array.from(g.size, (k) => Math.sqrt(k));
  for (let i = 0; i < x.n; i++) {
    const src = i * x.dim;
    const dst = i * reduced;
    for (let r = 0; r < reduced; r++) out[dst + r] = x.data[src + g.representative[r]] * scale[r];
  }
  return { data: out, n: x.n, dim: reduced };
}

/** Weights of the merged problem (reduced × C, row-major) back on the original columns: w/√k on each copy, 0 on zero columns. */
export function expandWeights(w: Float64Array | Float32Array, g: ColumnGroups, numClasses: number): Float32Array {
  const out = new Float32Array(g.groupOf.length * numClasses);
  g.groupOf.forEach((group, j) => {
    if (group < 0) return;
    const scale = 1 / Math.sqrt(g.size[group]);
    for (let c = 0; c < numClasses; c++) out[j * numClasses + c] = w[group * numClasses + c] * scale;
  });
  return out;
}

/**
 * `mergeColumns(applyStandardizer(s, x), g)` in one pass, without the full-width standardised
 * copy (737 MB and seconds for 60k raw RGB pixels); the same float32 values. `g` must group
 * columns of `x` itself (equal raw columns standardise alike; dropped ones must be constant).
 */
export function standardizeMerged(s: Standardizer, x: Features, g: ColumnGroups): Features {
  if (x.dim !== s.mean.length || g.groupOf.length !== x.dim) {
    throw new Error(`standardizer of dim ${s.mean.length} and ${g.groupOf.length} column groups for features of dim ${x.dim}`);
  }
  const reduced = g.representative.length;
  const out = new Float32Array(x.n * reduced);
  const scale = Float32Array.from(g.size, (k) => Math.sqrt(k));
  const mean = Float32Array.from(g.representative, (j) => s.mean[j]);
  const std = Float32Array.from(g.representative, (j) => s.std[j]);
  for (let i = 0; i < x.n; i++) {
    const src = i * x.dim;
    const dst = i * reduced;
    for (let r = 0; r < reduced; r++) out[dst + r] = Math.fround((x.data[src + g.representative[r]] - mean[r]) / std[r]) * scale[r];
  }
  return { data: out, n: x.n, dim: reduced };
}
