import { describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { topKIndices } from '../../src/eval/topK.js';

describe('topKIndices', () => {
  it('equals a full sort by (value desc, index asc), ties included, with either strategy', () => {
    const rng = new Rng(9);
    // k <= 512 takes the heap, larger k the select-then-sort path
    const cases = [[1, 1], [10, 10], [50, 3], [200, 17], [200, 200], [3000, 513], [3000, 2999], [1000, 1000]];
    for (const [n, k] of cases) {
      // few distinct values, so there are many exact ties; and a continuous case
      const ties = Float32Array.from({ length: n }, () => rng.int(7) / 7);
      const smooth = Float32Array.from({ length: n }, () => rng.normal());
      for (const row of [ties, smooth]) {
        const expected = Array.from(row.keys()).sort((a, b) => row[b] - row[a] || a - b).slice(0, k);
        expect(Array.from(topKIndices(row, k))).toEqual(expected);
      }
    }
  });

  it('large rows: clustered values (one radix bucket), negatives, ±0 as equal', () => {
    const rng = new Rng(4);
    const n = 20000;
    const clustered = Float32Array.from({ length: n }, () => 0.9 + 0.001 * rng.normal());
    const signed = Float32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? (i % 2 ? -0 : 0) : rng.normal()));
    const quantised = Float32Array.from({ length: n }, () => Math.round(rng.normal() * 4) / 4);
    for (const row of [clustered, signed, quantised]) {
      const order = Array.from(row.keys()).sort((a, b) => row[b] - row[a] || a - b);
      for (const k of [513, 2000, n - 1, n]) expect(Array.from(topKIndices(row, k))).toEqual(order.slice(0, k));
    }
  });

  it('rejects k outside [1, n]', () => {
    expect(() => topKIndices(new Float32Array(3), 4)).toThrow(/k in \[1, 3\]/);
    expect(() => topKIndices(new Float32Array(3), 0)).toThrow(/k in \[1, 3\]/);
  });
});
