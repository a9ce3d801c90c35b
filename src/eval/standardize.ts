import type { Features } from './features.js';

/** Per-feature mean and standard deviation fitted on the training features. */
export interface Standardizer {
  mean: Float32Array;
  std: Float32Array;
}

/**
 * Fits mean/std per column (population std, float64 accumulation). A column whose std is below
 * `stdFloor` gets std 1: it is only centred, so a constant-in-train feature that varies at test
 * time is not blown up by a tiny divisor.
 */
export function fitStandardizer(train: Features, stdFloor = 1e-6): Standardizer {
  const { data, n, dim } = train;
  const sum = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const row = i * dim;
    for (let j = 0; j < dim; j++) sum[j] += data[row + j];
  }
  const mean = sum.map((s) => s / n);
  // Two-pass variance: no cancellation when features have a large offset.
  const sq = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const row = i * dim;
    for (let j = 0; j < dim; j++) {
      const d = data[row + j] - mean[j];
      sq[j] += d * d;
    }
  }
  const std = new Float32Array(dim);
  for (let j = 0; j < dim; j++) {
    const s = Math.sqrt(sq[j] / n);
    std[j] = s < stdFloor ? 1 : s;
  }
  return { mean: Float32Array.from(mean), std };
}

export function applyStandardizer(s: Standardizer, f: Features): Features {
  if (f.dim !== s.mean.length) {
    throw new Error(`standardizer was fitted on dim ${s.mean.length}, got features of dim ${f.dim}`);
  }
  const out = new Float32Array(f.data.length);
  for (let i = 0; i < f.n; i++) {
    const row = i * f.dim;
    for (let j = 0; j < f.dim; j++) out[row + j] = (f.data[row + j] - s.mean[j]) / s.std[j];
  }
  return { data: out, n: f.n, dim: f.dim };
}
