/**
 * Where a training step of the bench model spends its time, by kernel, on wasm or onednn (whose
 * kernels are synchronous, so tf.profile's wall time per kernel is the kernel's own cost). Run by hand:
 *   npx tsc -p . && node dist/bench/profile.js [--backend wasm|onednn] [--threads n] [--cpu-time] [--batch-size 128] [--top 25] [--inference [--unfolded]]
 * --inference profiles the encoder's forward in inference mode over the 2B views instead of a
 * step: the BatchNorm-folded copy that features are computed with, or with --unfolded the encoder itself.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendName } from '../src/backend/select.js';
import { foldBatchNorm } from '../src/models/foldBatchNorm.js';
import { benchSetup, intFlag, randomViews } from './benchModel.js';

const batchSize = intFlag('batch-size', 128);
const top = intFlag('top', 25);
const backendArg = process.argv.indexOf('--backend');
const backendName = (backendArg >= 0 ? process.argv[backendArg + 1] : 'wasm') as BackendName;
const threadsArg = process.argv.indexOf('--threads');
const backend = await selectBackend(backendName, threadsArg >= 0 ? { threads: intFlag('threads', 1) } : {});
const { model, step, dispose } = benchSetup(batchSize);
const inference = process.argv.includes('--inference');
// What probe/embed run (featureExtractor.ts): the encoder with BatchNorm folded into its
// convolutions; --unfolded profiles the encoder itself in inference mode.
const inferenceModel = !inference ? undefined : process.argv.includes('--unfolded') ? model.encoder : foldBatchNorm(model.encoder);
const forward = async (x: tf.Tensor4D) => {
  const h = inferenceModel!.apply(x, { training: false }) as tf.Tensor;
  await h.data();
  h.dispose();
};
const views = randomViews(batchSize);
for (let i = 0; i < 2; i++) await (inference ? forward(views) : step.run(views, 0.1)); // warm-up: weights, optimizer slots, JIT

// --cpu-time: each kernel's cost as this process's CPU time rather than wall time, which on a
// loaded machine mostly measures the wait for a core. Meaningful with one thread (--threads 1).
const cpuTime = process.argv.includes('--cpu-time');
if (cpuTime) {
  const timed = tf.backend() as unknown as { time(f: () => void): Promise<{ kernelMs: number }> };
  timed.time = async (f) => {
    const start = process.cpuUsage();
    f();
    const used = process.cpuUsage(start);
    return { kernelMs: (used.user + used.system) / 1000 };
  };
}

const t0 = performance.now();
const cpu = process.cpuUsage();
const profile = await tf.profile(async () => {
  await (inference ? forward(views) : step.run(views, 0.1));
  return [];
});
const wallMs = performance.now() - t0;
const used = process.cpuUsage(cpu);
const cpuMs = (used.user + used.system) / 1000;
views.dispose();
if (inferenceModel !== model.encoder) inferenceModel?.dispose();
dispose();

interface Row {
  ms: number;
  calls: number;
}
const byKernel = new Map<string, Row>();
const byShape = new Map<string, Row>();
const add = (map: Map<string, Row>, key: string, ms: number) => {
  const row = map.get(key) ?? { ms: 0, calls: 0 };
  row.ms += ms;
  row.calls += 1;
  map.set(key, row);
};
let kernelMs = 0;
for (const k of profile.kernels) {
  // `name__op` records are the scopes of custom-gradient ops: their kernels are listed too.
  if (k.name.endsWith('__op')) continue;
  const ms = k.kernelTimeMs as number;
  kernelMs += ms;
  add(byKernel, k.name, ms);
  add(byShape, `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join(' ')}`, ms);
}

const print = (title: string, map: Map<string, Row>) => {
  console.log(`\n${title}`);
  console.log('    ms   share  calls  kernel');
  for (const [key, row] of [...map].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) {
    const share = ((100 * row.ms) / kernelMs).toFixed(1).padStart(5);
    console.log(`${row.ms.toFixed(0).padStart(6)}  ${share}%  ${String(row.calls).padStart(5)}  ${key}`);
  }
};
console.log(`${backend.active}${backend.threads ? ` (${backend.threads} threads)` : ''}, batch ${batchSize} (${2 * batchSize} views): one step ${wallMs.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU (under the profiler), ` +
  `${kernelMs.toFixed(0)} ms ${cpuTime ? 'CPU ' : ''}in kernels; the rest is JS (tape, gradients, optimizer bookkeeping)`);
print('by kernel', byKernel);
print('by kernel and input shapes', byShape);
