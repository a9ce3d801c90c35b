import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ablate, ablateCellCommand, type AblateArgs } from '../../pipelines/ablate.js';
import { pretrain } from '../../pipelines/pretrain.js';
import { enumerateCells, parseOps } from '../../src/ablate/grid.js';
import { cellDir } from '../../src/ablate/gridFile.js';
import type { PretrainOptions } from '../../src/config/pretrainOptions.js';
import { readJsonl } from '../../src/io/jsonl.js';
import { makeTinyImageFolder, tempDir, tinyPretrainOptions } from '../pipelines/tinyData.js';

let root: string;
let train: string;
let test: string;

beforeAll(async () => {
  root = await tempDir('simclr-ablate-');
  train = await makeTinyImageFolder(path.join(root, 'train'), 2, 8);
  test = await makeTinyImageFolder(path.join(root, 'test'), 2, 4, 20, 2);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function options(out: string): PretrainOptions {
  return tinyPretrainOptions(train, out, { steps: 2, checkpointEvery: 1, protocol: 'paper' });
}

function args(out: string, ops: string, lines: string[]): AblateArgs {
  return { options: options(out), train, test, ops, grid: [], jobs: 1, k: 3, log: (line) => lines.push(line) };
}

describe('simclr ablate (wasm, tiny model, 2 steps per cell)', () => {
  it('runs a two-op grid end to end: one run directory per cell, table, heatmap; a re-run skips every cell', async () => {
    const out = path.join(root, 'grid');
    const lines: string[] = [];
    const before = tf.memory().numTensors;
    const result = await ablate(args(out, 'crop,color', lines));
    expect(tf.memory().numTensors).toBe(before); // four pretrain runs and probes, nothing left
    expect(result).toMatchObject({ cells: 4, finished: 4, stopped: 0, failed: [], missing: [] });
    for (const id of ['crop', 'crop+color', 'color+crop', 'color']) {
      const dir = path.join(out, 'cells', id);
      for (const f of ['config.json', 'metrics.jsonl', 'encoder', 'probe.json', 'cell.json']) expect(fs.existsSync(path.join(dir, f)), `${id}/${f}`).toBe(true);
      expect(fs.readdirSync(dir).some((f) => f.startsWith('events.out.tfevents.'))).toBe(true);
      const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
      expect(config.options).toMatchObject({ augment: id, protocol: 'paper', seed: 0, steps: 2 });
    }
    for (const f of ['grid.json', 'results.csv', 'results.md', 'heatmap.svg', 'heatmap.png']) expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    expect(fs.readFileSync(path.join(out, 'results.csv'), 'utf8').trim().split('\n')).toHaveLength(5);
    expect(lines.filter((l) => /^ablate \[\d\/4\] .*linear top-1 .* ETA/.test(l))).toHaveLength(4);

    const probeFile = path.join(out, 'cells', 'crop+color', 'probe.json');
    const written = fs.statSync(probeFile).mtimeMs;
    const again: string[] = [];
    const rerun = await ablate(args(out, 'crop,color', again));
    expect(rerun).toMatchObject({ cells: 4, finished: 0, missing: [] });
    expect(again[0]).toMatch(/4 finished already, 0 to run/);
    expect(fs.statSync(probeFile).mtimeMs).toBe(written);

    await expect(ablate(args(out, 'crop,blur', []))).rejects.toThrow(/holds a different grid \(differs in: axes\.ops\)/);
  });

  it('resumes an interrupted cell from its checkpoint, without repeating steps', async () => {
    const out = path.join(root, 'resume');
    const lines: string[] = [];
    // First attempt: stopped after step 1 (as by Ctrl-C), leaving a checkpoint.
    const cell = enumerateCells({ ops: parseOps('crop'), sweeps: [] })[0];
    const controller = new AbortController();
    await ablate({ ...args(out, 'crop', []), signal: AbortSignal.abort() }); // claims the grid, runs nothing
    const first = await pretrain({ ...options(cellDir(out, cell)), augment: 'crop' }, {
      log: () => {},
      signal: controller.signal,
      onStep: (step) => step === 1 && controller.abort(),
    });
    expect(first.finalStep).toBe(1);

    const result = await ablate(args(out, 'crop', lines));
    expect(result).toMatchObject({ finished: 1, missing: [] });
    expect(lines.some((l) => /resuming .* at step 1\/2/.test(l))).toBe(true);
    const steps = (await readJsonl<{ step: number }>(path.join(cellDir(out, cell), 'metrics.jsonl'))).map((m) => m.step);
    expect(steps).toEqual([1, 2]);
  });

  it('a child cell (ablate cell <dir> <id>) takes only the run options from its flags, the rest from grid.json', async () => {
    const out = path.join(root, 'child');
    await ablate({ ...args(out, 'color', []), signal: AbortSignal.abort() }); // claims the grid, runs nothing
    // The CLI hands over every parsed flag, defaults included (augment, seed, …).
    const flags = { ...options(out), augment: 'crop+flip+color+grayscale+blur', seed: 7 };
    const outcome = await ablateCellCommand(out, 'color', flags);
    expect(outcome.status).toBe('finished');
    const config = JSON.parse(fs.readFileSync(path.join(out, 'cells', 'color', 'config.json'), 'utf8'));
    expect(config.options).toMatchObject({ augment: 'color', seed: 0 });
    await expect(ablateCellCommand(out, 'blur', flags)).rejects.toThrow(/has no cell "blur"/);
  });

  it('rejects a bad cell before running any: one clear line', async () => {
    await expect(ablate({ ...args(path.join(root, 'bad'), 'crop', []), grid: ['batch-size=8,1'] })).rejects.toThrow(/cell batch-size=1__crop: --batch-size must be at least 2/);
    expect(fs.existsSync(path.join(root, 'bad'))).toBe(false);
  });
});
