/**
 * Training speed of the bench model on wasm through the real path: TwoViewStage (1 worker,
 * 4096 synthetic 32×32 images in memory) → SimclrModel → NT-Xent step (createTrainStep) → LARS.
 * Prints training images/s and GFLOP/s (3 × forward FLOPs × 2B views ÷ step time; medians
 * after warm-up), inference images/s (encoder forward only), the data-stall fraction and peak RSS.
 *
 *   npm run bench:train                       # batch 256, then batch 4096 with --micro-batch 256,
 *                                             # each on one thread and with --replicas 2
 *   npm run bench:train -- --batch-size 128 --steps 5 [--micro-batch M] [--replicas R]
 *
 * With no --batch-size each case runs in its own process, so each peak RSS is its own.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_RECIPE, Rng, TwoViewStage, type ViewSource } from '../augment/index.js';
import { selectBackend, type BackendName } from '../src/backend/select.js';
import type { PretrainOptions } from '../src/config/pretrainOptions.js';
import { benchSetup, forwardFlops, IMAGE_SIZE, intFlag, median, randomViews } from './benchModel.js';

const SOURCE_IMAGES = 4096;
const INFERENCE_CHUNK = 512;

// One thread, then both cores (data-parallel replicas), at batch 256 and at batch 4096.
const DEFAULT_CASES: string[][] = [
  ['--batch-size', '256'],
  ['--batch-size', '256', '--replicas', '2'],
  ['--batch-size', '4096', '--micro-batch', '256', '--steps', '2'],
  ['--batch-size', '4096', '--micro-batch', '256', '--replicas', '2', '--steps', '2'],
];

function randomSource(count: number, size: number): ViewSource {
  const pixels = new Uint8Array(new SharedArrayBuffer(count * size * size * 3));
  const rng = new Rng(1);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.int(256);
  return { kind: 'memory', size, count, pixels };
}

/** Encoder-only forward (BN in inference mode), images/s over `views` views in chunks. */
async function inferenceRate(encoder: tf.LayersModel, views: number): Promise<number> {
  const chunk = Math.min(views, INFERENCE_CHUNK);
  const x = randomViews(chunk / 2);
  const once = async () => {
    const t0 = performance.now();
    for (let done = 0; done < views; done += chunk) {
      const h = encoder.apply(x, { training: false }) as tf.Tensor;
      await h.data();
      h.dispose();
    }
    return (performance.now() - t0) / 1000;
  };
  await once();
  const seconds = median([await once(), await once(), await once()]);
  x.dispose();
  return views / seconds;
}

async function runCase(): Promise<void> {
  const batchSize = intFlag('batch-size', 256);
  const steps = intFlag('steps', 5);
  const warmup = intFlag('warmup', 1);
  const overrides: Partial<PretrainOptions> = {};
  if (process.argv.includes('--micro-batch')) overrides.microBatch = intFlag('micro-batch', batchSize);
  if (process.argv.includes('--replicas')) overrides.replicas = intFlag('replicas', 1);
  // Minimal backend choice (the full backend column is another change): --backend, --threads.
  const backendArg = process.argv.indexOf('--backend');
  const backendName = (backendArg >= 0 ? process.argv[backendArg + 1] : 'wasm') as BackendName;
  const threads = process.argv.includes('--threads') ? intFlag('threads', 1) : undefined;
  const backend = await selectBackend(backendName, { threads });
  // Without a ref'd handle of its own the process sometimes exited (code 13, "unsettled
  // top-level await") while awaiting the stage's unref'd worker: keep the loop alive.
  const keepAlive = setInterval(() => {}, 60_000);

  const { model, step, dispose } = benchSetup(batchSize, overrides);
  const flopsPerView = forwardFlops(model.encoder) + forwardFlops(model.head);
  const stage = new TwoViewStage({
    source: randomSource(Math.max(SOURCE_IMAGES, batchSize), IMAGE_SIZE),
    recipe: DEFAULT_RECIPE,
    imageSize: IMAGE_SIZE,
    batchSize,
    seed: 0,
    workers: 1,
  });
  const extra = Object.entries(overrides).map(([k, v]) => `, ${k} ${v}`).join('');
  console.log(`${backend.active} ${backend.version}${backend.threads ? ` (${backend.threads} threads)` : ''}, ResNet-18 w0.25 CIFAR stem 32×32, head ${model.featureDim}→${model.featureDim}→64, ` +
    `batch ${batchSize} (${2 * batchSize} views)${extra}; forward ${(flopsPerView / 1e6).toFixed(1)} MFLOP per view ` +
    `(conv+dense layers); ${warmup} warm-up + ${steps} timed steps`);

  const stepSeconds: number[] = [];
  const stepCpuSeconds: number[] = [];
  let waitMs = 0;
  let totalMs = 0;
  for (let t = 0; t < warmup + steps; t++) {
    const t0 = performance.now();
    const views = await stage.batch(t);
    const t1 = performance.now();
    const cpu = process.cpuUsage();
    const x = tf.tensor4d(views, [2 * batchSize, IMAGE_SIZE, IMAGE_SIZE, 3]);
    const outcome = await step.run(x, 0.1);
    x.dispose();
    const t2 = performance.now();
    if (!outcome.finite) throw new Error(`step ${t}: non-finite loss ${outcome.loss}`);
    if (t < warmup) continue;
    stepSeconds.push((t2 - t1) / 1000);
    const used = process.cpuUsage(cpu);
    stepCpuSeconds.push((used.user + used.system) / 1e6);
    waitMs += t1 - t0;
    totalMs += t2 - t0;
  }
  await stage.close();
  clearInterval(keepAlive);
  const inference = await inferenceRate(model.encoder, Math.min(2 * batchSize, 2048));
  dispose();

  const seconds = median(stepSeconds);
  const gflops = (3 * flopsPerView * 2 * batchSize) / seconds / 1e9;
  const peakRss = process.resourceUsage().maxRSS / 1024 ** 2; // maxRSS is in KiB
  console.log(`  training:   ${(batchSize / seconds).toFixed(1)} images/s, ${gflops.toFixed(1)} GFLOP/s ` +
    `(median step ${seconds.toFixed(2)} s of [${stepSeconds.map((s) => s.toFixed(2)).join(', ')}])`);
  // On a busy machine wall time measures the load; CPU time (this process, so it includes the
  // augmentation worker's prefetch, a few % of a step) measures the code.
  const cpuSeconds = median(stepCpuSeconds);
  console.log(`  per CPU-second: ${(batchSize / cpuSeconds).toFixed(1)} images/s, ${((gflops * seconds) / cpuSeconds).toFixed(1)} GFLOP/s ` +
    `(median step ${cpuSeconds.toFixed(2)} CPU-s, incl. the augmentation worker)`);
  console.log(`  inference:  ${inference.toFixed(0)} images/s (encoder forward, batches of ${Math.min(2 * batchSize, INFERENCE_CHUNK)})`);
  console.log(`  data stall: ${((100 * waitMs) / totalMs).toFixed(1)} % (time awaiting the two-view stage ÷ step wall time)`);
  console.log(`  peak RSS:   ${peakRss.toFixed(2)} GiB`);
}

if (process.argv.includes('--batch-size')) {
  await runCase();
} else {
  const self = fileURLToPath(import.meta.url);
  for (const args of DEFAULT_CASES) {
    const run = spawnSync(process.execPath, [self, ...args, ...process.argv.slice(2)], { stdio: 'inherit' });
    if (run.status !== 0) console.log(`  (${args.join(' ')} exited with ${run.status ?? run.signal})`);
  }
}
