/**
 * Frozen features as the evaluators take them: a row-major `n × dim` matrix, one row per image,
 * with integer class labels in [0, numClasses).
 */
export interface Features {
  data: Float32Array;
  n: number;
  dim: number;
}

export function assertFeatures(f: Features, name: string): void {
  if (!Number.isInteger(f.n) || f.n < 1 || !Number.isInteger(f.dim) || f.dim < 1) {
    throw new Error(`${name}: need n >= 1 and dim >= 1 (got n=${f.n}, dim=${f.dim})`);
  }
  if (f.data.length !== f.n * f.dim) {
    throw new Error(`${name}: data has ${f.data.length} values, expected n*dim = ${f.n * f.dim}`);
  }
  for (let i = 0; i < f.data.length; i++) {
    if (!Number.isFinite(f.data[i])) {
      throw new Error(`${name}: non-finite value at row ${Math.floor(i / f.dim)}, column ${i % f.dim}`);
    }
  }
}

export function assertLabels(labels: Int32Array, n: number, numClasses: number, name: string): void {
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new Error(`${name}: numClasses must be an integer >= 2 (got ${numClasses})`);
  }
  if (labels.length !== n) {
    throw new Error(`${name}: ${labels.length} labels for ${n} rows`);
  }
  for (let i = 0; i < n; i++) {
    if (labels[i] < 0 || labels[i] >= numClasses) {
      throw new Error(`${name}: label ${labels[i]} at row ${i} is outside [0, ${numClasses})`);
    }
  }
}

export function assertSameDim(a: Features, b: Features, aName: string, bName: string): void {
  if (a.dim !== b.dim) throw new Error(`${aName} has dim ${a.dim} but ${bName} has dim ${b.dim}`);
}

/** The rows `index[0], index[1], …` of `f`, as a new matrix. */
export function selectRows(f: Features, index: ArrayLike<number>): Features {
  const data = new Float32Array(index.length * f.dim);
  for (let r = 0; r < index.length; r++) {
    const src = index[r] * f.dim;
    data.set(f.data.subarray(src, src + f.dim), r * f.dim);
  }
  return { data, n: index.length, dim: f.dim };
}

export function selectLabels(labels: Int32Array, index: ArrayLike<number>): Int32Array {
  const out = new Int32Array(index.length);
  for (let r = 0; r < index.length; r++) out[r] = labels[index[r]];
  return out;
}
