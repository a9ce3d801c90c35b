/**
 * Faults inside a run: a non-finite loss (NaN pixels injected into one batch) and a checkpoint
 * write that fails (a full or read-only file system). Either way the last good checkpoint stays.
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { selectBackend } from '../../src/backend/select.js';
import { PRETRAIN_DEFAULTS } from '../../src/config/pretrainOptions.js';
import { JsonlWriter, readJsonl } from '../../src/io/jsonl.js';
import { loadTensorMap } from '../../src/io/modelStore.js';
import { EventWriter } from '../../src/io/tensorboard/eventWriter.js';
import { SimclrModel } from '../../src/models/simclrModel.js';
import { createOptimizer } from '../../src/optim/index.js';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { MetricsLogger } from '../../src/train/metricsLogger.js';
import { ProgressReporter } from '../../src/train/progress.js';
import { createTrainStep } from '../../src/objectives/registry.js';
import { NonFiniteLossError, trainLoop, type TrainLoopOptions, type ViewBatcher } from '../../src/train/trainer.js';
import { tempDir } from '../pipelines/tinyData.js';

const B = 8;
const S = 16;
let root: string;

beforeAll(async () => {
  await selectBackend('wasm', { quiet: true });
  root = await tempDir('simclr-faults-');
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function tinyModel(): SimclrModel {
  return SimclrModel.build({ backbone: 'resnet18', width: 0.125, imageSize: S, cifarStem: true, projDim: 16, projLayers: 2 });
}

/** Views in [0,1], deterministic per step; NaN everywhere at the (0-based) steps in `nanAt`. */
function batcher(nanAt: number[] = []): ViewBatcher {
  return {
    stepsPerEpoch: 4,
    imagesForStep: (step: number) => Array.from({ length: B }, (_, i) => (step * B + i) % 32),
    async batch(step: number) {
      const rng = new Rng(step + 1);
      const views = Float32Array.from({ length: 2 * B * S * S * 3 }, () => rng.next());
      if (nanAt.includes(step)) views.fill(NaN);
      return views;
    },
  } as ViewBatcher;
}

interface Run {
  out: string;
  model: SimclrModel;
  run: (o: Partial<TrainLoopOptions> & { steps: number; nanAt?: number[] }) => ReturnType<typeof trainLoop>;
  dispose: () => void;
}

function setup(name: string): Run {
  const out = path.join(root, name);
  fs.mkdirSync(out, { recursive: true });
  const model = tinyModel();
  const optimizer = createOptimizer('lars', 1e-6);
  const step = createTrainStep({ ...PRETRAIN_DEFAULTS, data: '', out, batchSize: B, imageSize: S, projDim: 16 }, model, optimizer);
  return {
    out,
    model,
    run: async ({ steps, nanAt, ...o }) => {
      const logger = new MetricsLogger(new JsonlWriter(path.join(out, 'metrics.jsonl')), new EventWriter(out));
      try {
        return await trainLoop(model, optimizer, step, batcher(nanAt), logger, new ProgressReporter('test', 0, { write: () => true } as unknown as NodeJS.WriteStream), {
          batchSize: B,
          imageSize: S,
          schedule: { peakLr: 0.3, warmupSteps: 0, totalSteps: steps },
          onNan: 'stop',
          startStep: 0,
          logEvery: 1,
          checkpointEvery: 2,
          checkpointDir: path.join(out, 'checkpoint'),
          ...o,
        });
      } finally {
        await logger.close();
      }
    },
    dispose: () => {
      step.dispose?.();
      optimizer.dispose();
      model.dispose();
    },
  };
}

const weightsOf = (model: SimclrModel) => Object.fromEntries(Object.entries(model.namedWeights()).map(([k, v]) => [k, Array.from(v.dataSync())]));
const metaStep = (dir: string): number => JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')).step;

describe('a non-finite loss', () => {
  it('stops the run with a message naming the step; the checkpoint before it is untouched and the weights are not updated', async () => {
    const r = setup('nan-stop');
    let beforeBadStep: Record<string, number[]> = {};
    let tensorsAfterStep2 = 0;
    const error = await r
      .run({
        steps: 8,
        nanAt: [4], // the 5th step
        onStep: (step) => {
          if (step === 2) tensorsAfterStep2 = tf.memory().numTensors;
          if (step === 4) beforeBadStep = weightsOf(r.model);
        },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect((error as Error).message).toMatch(/^step 5: loss is not finite .*last checkpoint is intact/);
    expect(metaStep(path.join(r.out, 'checkpoint'))).toBe(4);
    // The model (BN statistics included) is as after step 4, and so is the checkpoint.
    expect(weightsOf(r.model)).toEqual(beforeBadStep);
    const { tensors } = await loadTensorMap(path.join(r.out, 'checkpoint'));
    for (const [name, values] of Object.entries(beforeBadStep)) expect(Array.from(tensors[`model/${name}`].dataSync()), name).toEqual(values);
    tf.dispose(Object.values(tensors));
    expect((await readJsonl<{ step: number }>(path.join(r.out, 'metrics.jsonl'))).map((m) => m.step)).toEqual([1, 2, 3, 4]);
    expect(tf.memory().numTensors).toBe(tensorsAfterStep2); // nothing leaked on the error path
    r.dispose();
  });

  it('--on-nan skip: skips such steps without touching the weights and counts them in metrics.jsonl', async () => {
    const r = setup('nan-skip');
    const snapshots: Record<number, Record<string, number[]>> = {};
    const result = await r.run({
      steps: 6,
      onNan: 'skip',
      nanAt: [2, 3],
      onStep: (step) => {
        if (step >= 2 && step <= 4) snapshots[step] = weightsOf(r.model);
      },
    });
    expect(result).toMatchObject({ finalStep: 6, skippedSteps: 2 });
    expect(snapshots[3]).toEqual(snapshots[2]);
    expect(snapshots[4]).toEqual(snapshots[2]);
    const records = await readJsonl<{ step: number; skippedSteps: number; loss: number | null }>(path.join(r.out, 'metrics.jsonl'));
    expect(records.map((m) => [m.step, m.skippedSteps])).toEqual([[1, 0], [2, 0], [3, 1], [4, 2], [5, 2], [6, 2]]);
    expect(records.filter((m) => m.loss === null).map((m) => m.step)).toEqual([3, 4]);
    expect(metaStep(path.join(r.out, 'checkpoint'))).toBe(6);
    r.dispose();
  });
});

/** A tmpfs of `bytes` at a fresh directory, or undefined where mounting is not permitted. */
function mountTmpfs(bytes: number): string | undefined {
  const dir = fs.mkdtempSync(path.join(root, 'tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'pipe' });
    return dir;
  } catch {
    return undefined;
  }
}
const canMount = (() => {
  try {
    return process.getuid?.() === 0 && execFileSync('sh', ['-c', 'command -v mount'], { stdio: 'pipe' }).length > 0;
  } catch {
    return false;
  }
})();

describe.skipIf(!canMount)('a checkpoint write that fails (tiny tmpfs; skipped where mount is not permitted)', () => {
  const mounts: string[] = [];
  afterAll(() => {
    for (const m of mounts) execFileSync('umount', [m]);
  });

  it('a full disk or a read-only file system is a clear error and leaves the previous checkpoint intact and loadable', async () => {
    // Room for one checkpoint (optimizer state included) but not for the second copy a swap needs.
    const r = setup('disk-full');
    await r.run({ steps: 2 });
    const normal = path.join(r.out, 'checkpoint');
    const bytes = fs.readdirSync(normal).reduce((n, f) => n + fs.statSync(path.join(normal, f)).size, 0);
    const disk = mountTmpfs(Math.ceil((1.5 * bytes) / 4096) * 4096);
    if (!disk) return expect.fail('mount -t tmpfs failed although running as root');
    mounts.push(disk);
    const checkpointDir = path.join(disk, 'checkpoint');

    let saved: Buffer | undefined;
    const full = await r
      .run({ steps: 6, checkpointDir, onStep: (step) => step === 3 && (saved = fs.readFileSync(path.join(checkpointDir, 'tensors.bin'))) })
      .catch((e: unknown) => e as Error);
    expect(full).toBeInstanceOf(Error);
    expect((full as Error).message).toMatch(new RegExp(`^cannot write ${checkpointDir}: .*ENOSPC`));
    expect(metaStep(checkpointDir)).toBe(2);
    expect(fs.readFileSync(path.join(checkpointDir, 'tensors.bin')).equals(saved!)).toBe(true);
    expect(fs.readdirSync(disk)).toEqual(['checkpoint']); // no temp left to fill the disk

    execFileSync('mount', ['-o', 'remount,ro', disk]);
    const readOnly = await r.run({ steps: 2, checkpointDir }).catch((e: unknown) => e as Error);
    expect((readOnly as Error).message).toMatch(new RegExp(`^cannot write ${checkpointDir}: .*EROFS`));
    expect(metaStep(checkpointDir)).toBe(2);
    const meta = await loadCheckpoint(checkpointDir, r.model, createOptimizer('lars', 1e-6));
    expect(meta.step).toBe(2);
    r.dispose();
  });
});
