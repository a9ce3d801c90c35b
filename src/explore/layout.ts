import { UMAP } from 'umap-js';
import { Rng } from '../../augment/rng.js';
import type { Features } from '../eval/features.js';

import type { MapMethod } from './mapMethod.js';

/** Above this many images `auto` uses PCA: umap-js (plain JS) takes minutes beyond it on 2 cores. */
export const UMAP_LIMIT = 5000;

/** 2-D positions of the rows (n × 2, each axis scaled to [0, 1]) and the method used. */
export function layout2d(f: Features, method: MapMethod, seed: number): { positions: Float32Array; method: 'umap' | 'pca' } {
  const use = method === 'auto' ? (f.n <= UMAP_LIMIT ? 'umap' : 'pca') : method;
  const normed = normalizeRows(f);
  const xy = use === 'umap' && f.n >= 3 ? umap2d(normed, f.n, f.dim, seed) : pca2d(normed, f.n, f.dim, seed);
  return { positions: scaleToUnit(xy, f.n), method: use === 'umap' && f.n >= 3 ? 'umap' : 'pca' };
}

function normalizeRows(f: Features): Float64Array {
  const out = new Float64Array(f.data.length);
  for (let i = 0; i < f.n; i++) {
    let sq = 0;
    for (let j = 0; j < f.dim; j++) sq += f.data[i * f.dim + j] ** 2;
    const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    for (let j = 0; j < f.dim; j++) out[i * f.dim + j] = f.data[i * f.dim + j] * inv;
  }
  return out;
}

/** UMAP of L2-normalised rows (Euclidean there orders pairs as cosine does), seeded by the project's RNG. */
function umap2d(x: Float64Array, n: number, dim: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const rows = Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * dim, (i + 1) * dim)));
  const umap = new UMAP({ nComponents: 2, nNeighbors: Math.min(15, n - 1), minDist: 0.1, random: () => rng.next() });
  const embedding = umap.fit(rows);
  return Float64Array.from(embedding.flat());
}

/** The first two principal components (power iteration with deflation on the covariance). */
function pca2d(x: Float64Array, n: number, dim: number, seed: number): Float64Array {
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += x[i * dim + j] / n;
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) row[j] = x[i * dim + j] - mean[j];
    for (let a = 0; a < dim; a++) for (let b = a; b < dim; b++) cov[a * dim + b] += row[a] * row[b];
  }
  for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) cov[a * dim + b] = cov[b * dim + a];
  const rng = new Rng(seed);
  const components: Float64Array[] = [];
  for (let c = 0; c < 2; c++) {
    let v = Float64Array.from({ length: dim }, () => rng.normal());
    for (let it = 0; it < 300; it++) {
      const w = new Float64Array(dim);
      for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) w[a] += cov[a * dim + b] * v[b];
      for (const u of components) {
        const d = dot(w, u);
        for (let a = 0; a < dim; a++) w[a] -= d * u[a];
      }
      const norm = Math.sqrt(dot(w, w)) || 1;
      v = w.map((value) => value / norm);
    }
    components.push(v);
  }
  const out = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) row[j] = x[i * dim + j] - mean[j];
    out[2 * i] = dot(row, components[0]);
    out[2 * i + 1] = dot(row, components[1]);
  }
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Both axes to [0, 1] with one scale (keeps the map's aspect ratio), centred. */
function scaleToUnit(xy: Float64Array, n: number): Float32Array {
  let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, xy[2 * i]);
    maxX = Math.max(maxX, xy[2 * i]);
    minY = Math.min(minY, xy[2 * i + 1]);
    maxY = Math.max(maxY, xy[2 * i + 1]);
  }
  const span = Math.max(maxX - minX, maxY - minY) || 1;
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    out[2 * i] = (xy[2 * i] - minX) / span + (1 - (maxX - minX) / span) / 2;
    out[2 * i + 1] = (xy[2 * i + 1] - minY) / span + (1 - (maxY - minY) / span) / 2;
  }
  return out;
}
