import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDemoTable } from '../../pipelines/demo.js';
import { formatModels } from '../../pipelines/models.js';
import type { ProbeReport } from '../../src/eval/report.js';
import { bundledEncoders, resolveEncoderSpec, type ModelCard } from '../../src/run/bundledEncoders.js';
import { formatSubsetMatrix, type SubsetScores } from '../../src/eval/report.js';
import { tempDir } from '../pipelines/tinyData.js';

const card = (name: string): ModelCard => ({
  name,
  summary: 'a test encoder',
  inputSize: 32,
  dim: 128,
  architecture: { backbone: 'resnet18', width: 0.25, cifarStem: true, projDim: 64, projLayers: 2 },
  data: { name: 'Fashion-MNIST train', images: 60000, license: 'MIT', source: 'zalando' },
  training: { command: 'npm run bench:fashion-mnist -- --steps 3000', commit: '0123456789abcdef', steps: 3000, batchSize: 256, backend: 'onednn', seconds: 5400, date: '2026-12-01' },
  probe: { sample: { linearTop1: 0.8512, knnTop1: 0.8, rawLinearTop1: 0.836, rawKnnTop1: 0.76, split: 'bundled sample', command: 'simclr probe …' } },
});

let root: string;
afterAll(() => root && fs.rmSync(root, { recursive: true, force: true }));

describe('bundled encoders', () => {
  it('lists folders with a card.json naming them and a model.json; leaves the rest out', async () => {
    root = await tempDir('simclr-models-');
    const make = (name: string, files: Record<string, string>) => {
      fs.mkdirSync(path.join(root, name));
      for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(root, name, f), text);
    };
    make('good', { 'card.json': JSON.stringify(card('good')), 'model.json': '{}' });
    make('misnamed', { 'card.json': JSON.stringify(card('other')), 'model.json': '{}' });
    make('no-model', { 'card.json': JSON.stringify(card('no-model')) });
    make('bad-json', { 'card.json': '{', 'model.json': '{}' });
    const found = bundledEncoders(root);
    expect(found.map((b) => b.card.name)).toEqual(['good']);
    const text = formatModels(found, root);
    expect(text).toContain('good  (--encoder good; files: good)');
    expect(text).toContain('bundled sample: linear top-1 85.12, kNN top-1 80.00 (raw pixels 83.60 / 76.00)');
    expect(text).toContain('3000 steps × batch 256');
    expect(formatModels([])).toMatch(/no bundled encoders/);
  });

  it('a path that exists is itself; an unknown name comes back unchanged', () => {
    expect(resolveEncoderSpec('.')).toBe('.');
    expect(resolveEncoderSpec('no-such-encoder-name')).toBe('no-such-encoder-name');
  });
});

describe('formatSubsetMatrix', () => {
  const row = (features: string, fraction: number, linear: number, knn: number): SubsetScores => ({
    features,
    subset: { fraction },
    trainImages: Math.round(2000 * fraction),
    linear: { top1: linear, lambda: 1e-3, valTop1: 0.5, iterations: 10 },
    knn: { top1: knn },
  });
  it('one row per feature set, linear then kNN per subset, renamed rows, columns aligned', () => {
    const lines = formatSubsetMatrix(
      [row('run', 0.01, 0.471, 0.336), row('run', 1, 0.748, 0.679), row('raw', 0.01, 0.575, 0.489), row('raw', 1, 0.836, 0.76)],
      { raw: 'raw pixels' },
    );
    expect(lines[0]).toMatch(/^\s+linear top-1\s+kNN top-1$/);
    expect(lines[1].trim().split(/\s+/)).toEqual(['features', '1', '%', 'all', '1', '%', 'all']);
    expect(lines[2].trim().split(/\s{2,}/)).toEqual(['run', '47.10', '74.80', '33.60', '67.90']);
    expect(lines[3].trim().split(/\s{2,}/)).toEqual(['raw pixels', '57.50', '83.60', '48.90', '76.00']);
    expect(new Set(lines.slice(1).map((l) => l.length)).size).toBe(1);
  });
});

describe('the demo table', () => {
  it('renames the rows, shows three label budgets, and pairs the bundled encoder and the run against raw pixels', () => {
    const sub = (features: string, fraction: number, x: number): SubsetScores => ({
      features,
      subset: { fraction },
      trainImages: Math.round(2000 * fraction),
      linear: { top1: x, lambda: 1e-3, valTop1: x, iterations: 5 },
      knn: { top1: x - 0.05 },
    });
    const scores = (x: number) => ({ linear: { top1: x, top5: 0.99 }, knn: { top1: x - 0.05 }, retrieval: { recallAt: { 1: x }, mapAtR: 0.3 } });
    const vs = { difference: 0.02, standardError: 0.01, onlyA: 60, onlyB: 40, pValue: 0.05, log10PValue: -1.3 };
    const run = 'runs/sample-x';
    const report: ProbeReport = {
      encoder: run,
      source: run,
      features: { train: 2000, test: 1000, dim: 128 },
      linear: { top1: 0.75, top5: 0.99, lambda: 1e-3, valTop1: 0.74, iterations: 50 },
      knn: { top1: 0.7, k: 20, temperature: 0.07 },
      retrieval: { recallAt: { 1: 0.7 }, mapAtR: 0.2 },
      seconds: 10,
      baselines: { good: { ...scores(0.86), comparisons: { raw: vs } }, raw: scores(0.836), random: scores(0.54) },
      comparisons: { raw: { ...vs, difference: -0.086 } },
      labelSubsets: ['runs/sample-x', 'good', 'raw', 'random'].flatMap((f, i) => [0.01, 0.1, 1].map((fr) => sub(f, fr, 0.5 + 0.1 * i + fr / 10))),
    };
    const text = formatDemoTable(report, 75, card('good'));
    expect(text).toContain("classifiers fit on 1 %, 10 % and all of its labelled training images (20 / 200 / 2000 images)");
    const row = (start: string) => text.split('\n').find((l) => l.startsWith(start))!;
    expect(row('this run (75 steps').trim().split(/\s{2,}/).slice(1)).toEqual(['50.10', '51.00', '60.00', '45.10', '46.00', '55.00']);
    expect(row('good (bundled: 3000 steps on 60k images)')).toBeDefined();
    expect(row('raw pixels')).toBeDefined();
    expect(row('random encoder')).toBeDefined();
    expect(text).toContain('linear top-1, good vs raw pixels: +2.00 points');
    expect(text).toContain('linear top-1, this run vs raw pixels: −8.60 points');
  });
});
