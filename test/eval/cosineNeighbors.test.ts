import { describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { forEachNeighborBlock, mergedUnitRows } from '../../src/eval/cosineNeighbors.js';
import type { Features } from '../../src/eval/features.js';
import { bruteForceRanking, queryRow } from './bruteForce.js';

/** Rows of `base` distinct values, each repeated `copies` times (grayscale pixels as RGB), plus one last column set by `last`. */
function repeated(n: number, base: number, copies: number, seed: number, last: (i: number) => number): Features {
  const rng = new Rng(seed);
  const dim = base * copies + 1;
  const data = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < base; b++) {
      const v = Math.round(3 * rng.normal()); // quantised: exact ties, where the order rule matters
      for (let c = 0; c < copies; c++) data[i * dim + b * copies + c] = v;
    }
    data[i * dim + dim - 1] = last(i);
  }
  return { data, n, dim };
}

function neighbours(gallery: Features, queries: Features, k: number): { indices: number[][]; sims: number[][] } {
  const indices: number[][] = [];
  const sims: number[][] = [];
  forEachNeighborBlock(gallery, queries, () => k, (block) => {
    for (let q = 0; q < block.count; q++) {
      indices.push(Array.from(block.indices.subarray(q * block.stride, q * block.stride + k)));
      sims.push(Array.from(block.similarities.subarray(q * block.stride, q * block.stride + k)));
    }
  }, { maxBlockValues: gallery.n * 7 });
  return { indices, sims };
}

describe('forEachNeighborBlock with repeated columns', () => {
  it.each([
    ['columns repeated in both sets, one zero in the gallery only (merged)', (i: number) => i % 3],
    ['a query breaks a group (not merged)', (i: number) => (i === 5 ? 2 : 0)],
  ])('%s: the plain-loop ranking and similarities', (_, queryLast) => {
    const gallery = repeated(120, 5, 3, 1, () => 0);
    const queries = repeated(30, 5, 3, 2, queryLast);
    if (queryLast(5) === 2) queries.data[5 * queries.dim] += 1; // copies of column 0 differ in query 5
    // Merged: 5 columns (the gallery-zero column dropped); a broken group: all 16 kept.
    expect(mergedUnitRows(gallery, queries).dim).toBe(queryLast(5) === 2 ? 16 : 5);
    const k = 10;
    const got = neighbours(gallery, queries, k);
    for (let q = 0; q < queries.n; q++) {
      const ref = bruteForceRanking(gallery, queryRow(queries, q)).slice(0, k);
      // Similarities to 1e-6; indices exactly wherever the reference has no tie (float32 rounding
      // orders exact float64 ties either way).
      const all = bruteForceRanking(gallery, queryRow(queries, q));
      ref.forEach((r, i) => {
        expect(got.sims[q][i]).toBeCloseTo(r.sim, 6);
        const tied = all.filter((o) => Math.abs(o.sim - r.sim) < 1e-6).map((o) => o.index);
        if (tied.length === 1) expect(got.indices[q][i]).toBe(r.index);
        else expect(tied).toContain(got.indices[q][i]);
      });
    }
  });
});
