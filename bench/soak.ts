/**
 * Long-run memory: a real pretrain run (wasm, or --backend; tiny model, the bundled sample) for many steps,
 * printing the live tensor count and the process RSS every N steps, then a verdict line.
 * Checkpoints and logs are written as in any run, so their paths are soaked too.
 *
 *   npm run bench:soak                          # 500 steps, a reading every 50
 *   npm run bench:soak -- --steps 2000 --every 100 [--data folder] [--batch-size 8] [--backend onednn]
 *
 * Flat means: the tensor count at every reading equals the first one (step N), and RSS grows
 * by less than 10% (at least 32 MB of slack) from the second reading to the last; the first
 * reading still includes one-time allocations (wasm heap growth, kernel setup).
 */
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BackendName } from '../src/backend/select.js';
import { PRETRAIN_DEFAULTS } from '../src/config/pretrainOptions.js';
import { packageRoot } from '../src/config/packageRoot.js';
import { pretrain } from '../pipelines/pretrain.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const steps = Number(flag('steps', '500'));
const every = Number(flag('every', '50'));
const batchSize = Number(flag('batch-size', '8'));
const data = flag('data', path.join(packageRoot(), 'data/sample/train'));
if (!(Number.isInteger(steps) && Number.isInteger(every) && every >= 1 && steps >= 2 * every)) {
  console.error('soak: --steps and --every must be integers with steps ≥ 2 × every');
  process.exit(2);
}

const MB = 1024 * 1024;
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'simclr-soak-'));
const readings: { step: number; tensors: number; rssMb: number }[] = [];
const started = performance.now();
console.log(`soak: ${steps} steps, resnet18 width 0.125, 16×16, batch ${batchSize}, ${flag('backend', 'wasm')}, data ${data}; reading every ${every} steps`);
console.log('step\ttensors\tRSS MB\twasm/JS bytes MB');
try {
  await pretrain(
    {
      ...PRETRAIN_DEFAULTS,
      data,
      out,
      backend: flag('backend', 'wasm') as BackendName,
      width: 0.125,
      imageSize: 16,
      batchSize,
      projDim: 16,
      steps,
      warmupEpochs: 0,
      logEvery: every,
      checkpointEvery: Math.max(every, Math.floor(steps / 5)),
      workers: 1,
    },
    {
      log: () => {},
      onStep: (step) => {
        if (step % every !== 0) return;
        const reading = { step, tensors: tf.memory().numTensors, rssMb: process.memoryUsage().rss / MB };
        readings.push(reading);
        console.log(`${step}\t${reading.tensors}\t${reading.rssMb.toFixed(1)}\t${(tf.memory().numBytes / MB).toFixed(1)}`);
      },
    },
  );
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}

const first = readings[0];
const second = readings[1];
const last = readings[readings.length - 1];
const tensorsFlat = readings.every((r) => r.tensors === first.tensors);
const growthMb = last.rssMb - second.rssMb;
const rssFlat = growthMb < Math.max(32, 0.1 * second.rssMb);
const seconds = (performance.now() - started) / 1000;
console.log(
  `verdict: ${tensorsFlat && rssFlat ? 'FLAT' : 'GROWING'} — tensors ${first.tensors} at step ${first.step}, ${last.tensors} at step ${last.step}; ` +
    `RSS ${second.rssMb.toFixed(1)} MB at step ${second.step} → ${last.rssMb.toFixed(1)} MB at step ${last.step} (${growthMb >= 0 ? '+' : ''}${growthMb.toFixed(1)} MB); ` +
    `${steps} steps in ${seconds.toFixed(0)} s`,
);
process.exitCode = tensorsFlat && rssFlat ? 0 : 1;
