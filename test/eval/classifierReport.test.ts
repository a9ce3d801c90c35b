import { describe, expect, it } from 'vitest';
import { classifierReport, confusionCsv } from '../../src/eval/classifierReport.js';

describe('classifierReport', () => {
  it('counts the confusion matrix, per-class accuracy, top-1 and loss from logits (checked by hand)', () => {
    // 4 images, 3 classes: predicted 0, 1, 1, 2 for true 0, 1, 2, 2.
    const logits = Float32Array.from([2, 0, 0, 0, 3, 1, 0, 1, 0, 0, 0, 5]);
    const r = classifierReport(logits, Int32Array.from([0, 1, 2, 2]), ['a', 'b', 'c,d']);
    expect(r.confusion).toEqual([[1, 0, 0], [0, 1, 0], [0, 1, 1]]);
    expect(r.perClass).toEqual({ a: 1, b: 1, 'c,d': 0.5 });
    expect(r.top1).toBe(0.75);
    expect(r.top5).toBeUndefined(); // fewer than 10 classes
    const ce = (row: number[], t: number) => Math.log(row.reduce((s, v) => s + Math.exp(v), 0)) - row[t];
    const expected = (ce([2, 0, 0], 0) + ce([0, 3, 1], 1) + ce([0, 1, 0], 2) + ce([0, 0, 5], 2)) / 4;
    expect(r.loss).toBeCloseTo(expected, 6);
    expect(confusionCsv(r, ['a', 'b', 'c,d'])).toBe('true \\ predicted,a,b,"c,d"\na,1,0,0\nb,0,1,0\n"c,d",0,1,1\n');
  });

  it('reports a class without test images as NaN, not 0', () => {
    const r = classifierReport(Float32Array.from([1, 0, 0, 1]), Int32Array.from([0, 0]), ['a', 'b']);
    expect(r.perClass.a).toBe(0.5);
    expect(r.perClass.b).toBeNaN();
  });
});
