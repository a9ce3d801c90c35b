import type { Features } from './features.js';

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

export function groupEqualColumns(x: Features): ColumnGroups {
  const { data, n, dim } = x;
  // One pass over the rows hashes every column (row-major data: columns are strided).
  const hash = new Uint32Array(dim).fill(2166136261);
  const nonZero = new Uint8Array(dim);
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  for (let i = 0; i < n; i++) {
    const row = i * dim;
    for (let j = 0; j < dim; j++) {
      // −0 and +0 are the same value: hash them alike.
      const b = data[row + j] === 0 ? 0 : bits[row + j];
      if (b !== 0) nonZero[j] = 1;
      hash[j] = Math.imul(hash[j] ^ b, 16777619);
    }
  }
  const groupOf = new Int32Array(dim).fill(-1);
  const representative: number[] = [];
  const size: number[] = [];
  const byHash = new Map<number, number[]>();
  for (let j = 0; j < dim; j++) {
    if (!nonZero[j]) continue;
    const candidates = byHash.get(hash[j]) ?? [];
    // Equal hashes are checked value by value: a collision never merges different columns.
    const same = candidates.find((g) => columnsEqual(data, n, dim, representative[g], j));
    if (same !== undefined) {
      groupOf[j] = same;
      size[same] += 1;
      continue;
    }
    groupOf[j] = representative.length;
    candidates.push(representative.length);
    byHash.set(hash[j], candidates);
    representative.push(j);
    size.push(1);
  }
  return { representative: Int32Array.from(representative), size: Int32Array.from(size), groupOf };
}

function columnsEqual(data: Float32Array, n: number, dim: number, a: number, b: number): boolean {
  for (let i = 0; i < n; i++) if (data[i * dim + a] !== data[i * dim + b]) return false;
  return true;
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
