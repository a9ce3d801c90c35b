import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from '../../src/train/checkpoint.js';
import { mocoStep, type MocoStepOptions } from '../../src/train/steps/mocoStep.js';
import type { TrainStep } from '../../src/train/steps/trainStep.js';
import { plainSgd, tinyModel, useWasm, viewsFor } from './stepsFixtures.js';

let root: string;
beforeAll(async () => {
  await useWasm();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'simclr-moco-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

// Queue of 12 with B = 8: wrapped after 2 steps (ptr 4), so resume must keep the FIFO order.
const options: MocoStepOptions = { temperature: 0.07, queueSize: 12, momentum: 0.9 };

async function runSteps(step: TrainStep, from: number, to: number): Promise<number[]> {
  const losses: number[] = [];
  for (let s = from; s < to; s++) {
    const views = viewsFor(s);
    losses.push((await step.run(views, 0.5)).loss);
    views.dispose();
  }
  return losses;
}

/** The step's state as plain arrays (queue keys and position, every key-encoder weight). */
function snapshot(step: TrainStep): Record<string, number[]> {
  return Object.fromEntries(Object.entries(step.state!()).map(([name, t]) => [name, Array.from(t.dataSync())]));
}

describe('MoCo step', () => {
  it('starts the key encoder as a copy of the model, then moves it by EMA only (no gradient)', async () => {
    const { model, optimizer } = tinyModel(plainSgd());
    const step = mocoStep(model, optimizer, options);
    const keyName = 'key/encoder/conv_1/kernel';
    const queryKernel = () => Array.from(model.namedWeights()['encoder/conv_1/kernel'].dataSync());
    const key0 = snapshot(step)[keyName];
    expect(key0).toEqual(queryKernel());
    await runSteps(step, 0, 1);
    const query1 = queryKernel();
    expect(query1.some((v, i) => v !== key0[i])).toBe(true);
    // θk ← m·θk + (1 − m)·θq: a gradient step on θk as well would break this.
    const key1 = snapshot(step)[keyName];
    key1.forEach((v, i) => expect(v).toBeCloseTo(0.9 * key0[i] + 0.1 * query1[i], 6));
    step.dispose!();
    model.dispose();
  });

  it('starts with a full queue of seeded random unit keys, replaced oldest first', async () => {
    const { model, optimizer } = tinyModel(plainSgd());
    const step = mocoStep(model, optimizer, options);
    const initial = snapshot(step);
    expect(initial['queue/position']).toEqual([0, 12, 12, 16]);
    for (let row = 0; row < 12; row++) {
      const key = initial['queue/keys'].slice(16 * row, 16 * (row + 1));
      expect(Math.hypot(...key)).toBeCloseTo(1, 5);
    }
    expect(snapshot(mocoStep(model, optimizer, options))['queue/keys']).toEqual(initial['queue/keys']);
    await runSteps(step, 0, 1);
    const after = snapshot(step);
    expect(after['queue/position']).toEqual([8, 12, 12, 16]);
    // Slots 0–7 now hold the step's keys, 8–11 are still the initial ones.
    expect(after['queue/keys'].slice(8 * 16)).toEqual(initial['queue/keys'].slice(8 * 16));
    expect(after['queue/keys'].slice(0, 8 * 16)).not.toEqual(initial['queue/keys'].slice(0, 8 * 16));
    step.dispose!();
    model.dispose();
  });

  it('resumes exactly: queue, key encoder and the next loss match an uninterrupted run', async () => {
    const { model, optimizer } = tinyModel();
    const step = mocoStep(model, optimizer, options);
    await runSteps(step, 0, 2);
    const dir = path.join(root, 'checkpoint');
    await saveCheckpoint(dir, model, optimizer, 2, step.state!());
    const saved = snapshot(step);
    expect(saved['queue/position']).toEqual([4, 12, 12, 16]);

    const fresh = tinyModel();
    const resumed = mocoStep(fresh.model, fresh.optimizer, options);
    const meta = await loadCheckpoint(dir, fresh.model, fresh.optimizer, (t) => resumed.restore!(t));
    expect(meta.step).toBe(2);
    expect(snapshot(resumed)).toEqual(saved);

    const [uninterrupted] = await runSteps(step, 2, 3);
    const [afterResume] = await runSteps(resumed, 2, 3);
    expect(uninterrupted).toBeGreaterThan(0);
    expect(afterResume).toBe(uninterrupted);
    expect(snapshot(resumed)).toEqual(snapshot(step));
    for (const s of [step, resumed]) s.dispose!();
    for (const m of [model, fresh.model]) m.dispose();
    for (const o of [optimizer, fresh.optimizer]) o.dispose();
  });

  it('restores without leaking, and refuses a checkpoint without MoCo state or with another queue size', async () => {
    const { model, optimizer } = tinyModel(plainSgd());
    const step = mocoStep(model, optimizer, options);
    await runSteps(step, 0, 1);
    const state = step.state!();
    const same = mocoStep(model, optimizer, options);
    const before = tf.memory().numTensors;
    same.restore!(state);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => same.restore!({})).toThrow(/no MoCo state/);
    const other = mocoStep(model, optimizer, { ...options, queueSize: 64 });
    expect(() => other.restore!(state)).toThrow(/queue is 12 × 16, this run's is 64 × 16/);
    for (const s of [step, same, other]) s.dispose!();
    model.dispose();
  });
});
