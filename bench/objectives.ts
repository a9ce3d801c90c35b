/**
 * Step time of each --loss objective on the bench model (ResNet-18 width 0.25, 32×32, wasm) at
 * one batch size: the median over --steps timed steps after one warm-up. MoCo runs with its
 * queue already full (K = --queue-size random unit keys), so the figure is its steady state.
 *
 *   npm run bench:objectives                                  # batch 64, MoCo K = 16384
 *   npm run bench:objectives -- --batch-size 128 --queue-size 65536 --steps 5
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/backend/select.js';
import { LOSS_NAMES, type LossName } from '../src/objectives/registry.js';
import type { TrainStep } from '../src/train/steps/trainStep.js';
import { benchSetup, intFlag, median, randomViews } from './benchModel.js';

/** Fills the MoCo queue through the checkpoint path: the step's own state with K random unit keys. */
function fillQueue(step: TrainStep, queueSize: number): void {
  const state = step.state!();
  const dim = state['queue/keys'].shape[1]!;
  const keys = tf.tidy(() => {
    const k = tf.randomNormal([queueSize, dim]);
    return k.div(k.norm('euclidean', 1, true));
  });
  const position = tf.tensor1d([0, queueSize, queueSize, dim], 'int32');
  step.restore!({ ...state, 'queue/keys': keys, 'queue/position': position });
  tf.dispose([keys, position]);
}

async function timeSteps(loss: LossName, batchSize: number, queueSize: number, steps: number): Promise<number> {
  const bench = benchSetup(batchSize, { loss, queueSize });
  if (loss === 'moco') fillQueue(bench.step, queueSize);
  const views = randomViews(batchSize);
  const context = { step: 0, imageIndices: Array.from({ length: batchSize }, (_, i) => i) };
  const times: number[] = [];
  for (let s = 0; s <= steps; s++) {
    const t0 = performance.now();
    const outcome = await bench.step.run(views, 0.01, context);
    if (!outcome.finite) throw new Error(`${loss}: non-finite loss`);
    if (s > 0) times.push((performance.now() - t0) / 1000);
  }
  views.dispose();
  bench.dispose();
  return median(times);
}

async function main(): Promise<void> {
  const batchSize = intFlag('batch-size', 64);
  const queueSize = intFlag('queue-size', 16384);
  const steps = intFlag('steps', 3);
  await selectBackend('wasm', { quiet: true });
  console.log(`objectives on wasm, bench model, batch ${batchSize} (${2 * batchSize} views), MoCo queue ${queueSize} (full), median of ${steps} steps`);
  console.log('loss         s/step   images/s');
  for (const loss of LOSS_NAMES) {
    const seconds = await timeSteps(loss, batchSize, queueSize, steps);
    console.log(`${loss.padEnd(12)} ${seconds.toFixed(3).padStart(6)}   ${(batchSize / seconds).toFixed(1).padStart(8)}`);
  }
}

await main();
