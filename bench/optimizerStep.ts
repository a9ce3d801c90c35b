/**
 * How long the optimizer's update of the bench model's weights takes on its own (the part of a
 * training step after the gradients), to weigh it against a whole step (bench:train).
 *
 *   npx tsc -p . && node dist/bench/optimizerStep.js [--backend onednn] [--optimizer lars] [--repeats 25]
 */
import * as tf from '@tensorflow/tfjs';
import os from 'node:os';
import { BackendError, selectBackend, type BackendName } from '../src/backend/select.js';
import { createOptimizer, OPTIMIZER_NAMES, type OptimizerName } from '../src/optim/index.js';
import { benchSetup } from './benchModel.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const optimizerName = flag('optimizer', 'lars') as OptimizerName;
const repeats = Number(flag('repeats', '25'));
if (!OPTIMIZER_NAMES.includes(optimizerName) || !(Number.isInteger(repeats) && repeats >= 1)) {
  console.error(`optimizerStep: --optimizer is one of ${OPTIMIZER_NAMES.join(', ')}; --repeats a positive integer`);
  process.exit(2);
}
try {
  await selectBackend(flag('backend', 'auto') as BackendName, { quiet: true });
} catch (err) {
  if (!(err instanceof BackendError)) throw err;
  console.error(err.message);
  process.exit(2);
}
const { model, dispose } = benchSetup(256);
const variables = model.namedWeights(true);
const grads: tf.NamedTensorMap = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, tf.randomNormal(v.shape, 0, 1e-3, 'float32', 1)]));
const optimizer = createOptimizer(optimizerName, 1e-6);
const ms: number[] = [];
for (let i = 0; i < repeats + 1; i++) {
  const t0 = performance.now();
  optimizer.applyGradients(grads, variables, 0.1);
  if (i > 0) ms.push(performance.now() - t0); // the first creates the slots
}
ms.sort((a, b) => a - b);
const floats = Object.values(variables).reduce((s, v) => s + v.size, 0);
console.log(`${optimizerName} update of the bench model (${Object.keys(variables).length} variables, ${floats} floats) on ${tf.getBackend()}: ` +
  `median ${ms[Math.floor(ms.length / 2)].toFixed(1)} ms, fastest ${ms[0].toFixed(1)} ms over ${repeats} updates; load average ${os.loadavg().map((l) => l.toFixed(2)).join(', ')}`);
tf.dispose(Object.values(grads));
optimizer.dispose();
dispose();
