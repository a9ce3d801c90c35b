import { describe, expect, it } from 'vitest';
import { labelSubset, labelSubsetsOf, parseLabelFractions, parsePerClass } from '../../src/data/labelSubset.js';

/** 3 classes of 100, 40 and 7 rows, interleaved. */
function labels(): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < 100; i++) out.push(0);
  for (let i = 0; i < 40; i++) out.push(1);
  for (let i = 0; i < 7; i++) out.push(2);
  // A fixed interleaving so class rows are not contiguous.
  const order = out.map((_, i) => (i * 37) % out.length);
  return Int32Array.from(order, (i) => out[i]);
}

const perClass = (y: Int32Array, rows: Int32Array) => [0, 1, 2].map((c) => Array.from(rows).filter((r) => y[r] === c).length);

describe('labelSubset', () => {
  it('keeps round(fraction × count) of each class (at least one), or N per class capped at the count', () => {
    const y = labels();
    expect(perClass(y, labelSubset(y, 3, { fraction: 0.1 }, 0))).toEqual([10, 4, 1]);
    expect(perClass(y, labelSubset(y, 3, { fraction: 0.5 }, 0))).toEqual([50, 20, 4]); // 3.5 rounds up
    expect(perClass(y, labelSubset(y, 3, { fraction: 1 }, 0))).toEqual([100, 40, 7]);
    expect(perClass(y, labelSubset(y, 3, { perClass: 10 }, 0))).toEqual([10, 10, 7]);
    const rows = labelSubset(y, 3, { fraction: 0.3 }, 5);
    expect(Array.from(rows)).toEqual(Array.from(rows).sort((a, b) => a - b));
    expect(new Set(rows).size).toBe(rows.length);
  });

  it('is seeded: same seed, same rows; another seed, other rows; a larger share keeps the smaller one', () => {
    const y = labels();
    const a = labelSubset(y, 3, { fraction: 0.2 }, 1);
    expect(labelSubset(y, 3, { fraction: 0.2 }, 1)).toEqual(a);
    expect(labelSubset(y, 3, { fraction: 0.2 }, 2)).not.toEqual(a);
    const larger = new Set(labelSubset(y, 3, { fraction: 0.6 }, 1));
    for (const r of a) expect(larger.has(r)).toBe(true);
  });

  it('parses lists and rejects bad values with one clear line', () => {
    expect(parseLabelFractions('0.01, 0.1,1')).toEqual([0.01, 0.1, 1]);
    expect(parsePerClass('1,10')).toEqual([1, 10]);
    expect(() => parseLabelFractions('0.1,,1')).toThrow('--label-fraction: each value must be in (0, 1], got "" in "0.1,,1"');
    expect(() => parseLabelFractions('1.5')).toThrow(/got "1.5"/);
    expect(() => parsePerClass('2.5')).toThrow('--per-class: each value must be a positive integer, got "2.5"');
    expect(() => labelSubsetsOf({ labelFraction: '0.1', perClass: '3' })).toThrow(/contradict/);
    expect(labelSubsetsOf({})).toEqual([]);
    expect(labelSubsetsOf({ perClass: '3' })).toEqual([{ perClass: 3 }]);
  });
});
