import { describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { topKIndices } from '../../src/eval/topK.js';

describe('topKIndices', () => {
  it('equals a full sort by (value desc, index asc), ties included', () => {
    const rng = new Rng(9);
    for (const [n, k] of [[1, 1], [10, 10], [50, 3], [200, 17], [200, 200]]) {
      // few distinct values, so there are many exact ties
      const row = Float32Array.from({ length: n }, () => rng.int(7) / 7);
      const expected = Array.from(row.keys()).sort((a, b) => row[b] - row[a] || a - b).slice(0, k);
      expect(Array.from(topKIndices(row, k))).toEqual(expected);
    }
  });

  it('rejects k outside [1, n]', () => {
    expect(() => topKIndices(new Float32Array(3), 4)).toThrow(/k in \[1, 3\]/);
    expect(() => topKIndices(new Float32Array(3), 0)).toThrow(/k in \[1, 3\]/);
  });
});
