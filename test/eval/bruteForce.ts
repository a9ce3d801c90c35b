import type { Features } from '../../src/eval/features.js';

/**
 * Reference neighbour ranking by plain loops in float64: cosine similarity of every gallery row,
 * all rows sorted by (similarity desc, index asc).
 */
export function bruteForceRanking(gallery: Features, query: Float32Array): { index: number; sim: number }[] {
  const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((a, x) => a + x * x, 0));
  const qn = norm(query);
  const out: { index: number; sim: number }[] = [];
  for (let g = 0; g < gallery.n; g++) {
    const row = gallery.data.subarray(g * gallery.dim, (g + 1) * gallery.dim);
    let dot = 0;
    for (let j = 0; j < gallery.dim; j++) dot += row[j] * query[j];
    out.push({ index: g, sim: dot / (norm(row) * qn) });
  }
  return out.sort((a, b) => b.sim - a.sim || a.index - b.index);
}

export function queryRow(f: Features, i: number): Float32Array {
  return f.data.subarray(i * f.dim, (i + 1) * f.dim);
}
