import { describe, expect, it } from 'vitest';
import { formatProbeSummary, type EvalScores, type ProbeReport } from '../../src/eval/report.js';

const scores = (x: number): EvalScores => ({
  linear: { top1: x, top5: x + 0.1 },
  knn: { top1: x - 0.01 },
  retrieval: { recallAt: { 1: x - 0.02, 5: x + 0.05 }, mapAtR: x / 2 },
});

const report: ProbeReport = {
  encoder: 'resnet18-simclr',
  source: 'resnet18-simclr',
  features: { train: 60000, test: 10000, dim: 512 },
  linear: { top1: 0.8512, top5: 0.9951, lambda: 1e-4, valTop1: 0.86, iterations: 143 },
  knn: { top1: 0.8301, k: 20, temperature: 0.07 },
  retrieval: { recallAt: { 1: 0.8301, 5: 0.951 }, mapAtR: 0.5512 },
  seconds: 83.25,
};

describe('formatProbeSummary', () => {
  it('puts the encoder and the given baselines in rows, scores in percent', () => {
    const text = formatProbeSummary({ ...report, baselines: { raw: scores(0.8), random: scores(0.5) } });
    const lines = text.split('\n');
    expect(lines[0]).toBe('resnet18-simclr: 60000 train / 10000 test features of dim 512, 83.3 s');
    expect(text).toContain('λ = 1e-4');
    const table = lines.slice(lines.findIndex((l) => l.startsWith('features')), -1);
    expect(table[0].split(/\s{2,}/)).toEqual(['features', 'linear top-1', 'top-5', 'kNN top-1', 'R@1', 'R@5', 'mAP@R']);
    const row = (name: string) => table.find((l) => l.startsWith(name))!.trim().split(/\s+/);
    expect(row('resnet18-simclr')).toEqual(['resnet18-simclr', '85.12', '99.51', '83.01', '83.01', '95.10', '55.12']);
    expect(row('raw')).toEqual(['raw', '80.00', '90.00', '79.00', '78.00', '85.00', '40.00']);
    expect(row('random')[0]).toBe('random');
    expect(table.length).toBe(4);
    // columns line up: every table row has the same length
    expect(new Set(table.map((l) => l.length)).size).toBe(1);
  });

  it('shows a dash for top-5 when there is none, and no baseline rows when none are given', () => {
    const text = formatProbeSummary({ ...report, linear: { ...report.linear, top5: undefined } });
    expect(text.split('\n').find((l) => l.startsWith('resnet18-simclr '))).toContain('—');
    expect(text).not.toMatch(/^raw/m);
  });

  it('ends with each baseline gap in points, its 95 % interval, the discordant counts and p', () => {
    const raw = { difference: 0.0254, standardError: 0.004, onlyA: 812, onlyB: 558, pValue: 0, log10PValue: -11.5 };
    const last = formatProbeSummary({ ...report, baselines: { raw: scores(0.8) }, comparisons: { raw } }).split('\n').at(-1);
    // ±1.96 · 0.4 points = ±0.784; 10^-11.5 = 3.16e-12
    expect(last).toBe(
      'linear top-1 vs raw: +2.54 points (95 % CI +1.76 to +3.32; right only with the encoder 812, only with raw 558; McNemar exact p = 3.2e-12)',
    );
  });
});
