/**
 * Training speed of the bench model through the real path: TwoViewStage (1 worker, 4096
 * synthetic 32×32 images in memory) → SimclrModel → NT-Xent step (createTrainStep) → LARS,
 * on a tfjs backend, then the same model in PyTorch (bench/pytorch/simclr_bench.py) in the
 * same run, and a table of both with the ratio simclr-ts ÷ PyTorch.
 * Prints training images/s and GFLOP/s (3 × forward FLOPs × 2B views ÷ step time; medians
 * after warm-up), inference images/s (encoder forward only, BatchNorm folded as probe/embed run it), the data-stall fraction and peak RSS.
 *
 *   npm run bench:train                       # batch 256, then batch 4096 with --micro-batch 256,
 *                                             # each on one thread and with --replicas 2
 *   npm run bench:train -- --batch-size 128 --steps 5 [--micro-batch M] [--replicas R]
 *   npm run bench:train -- --backend wasm,onednn [--torch-threads N] [--python P] [--no-torch]
 *
 * Each case runs in its own process, so each peak RSS is its own.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_RECIPE, Rng, TwoViewStage, type ViewSource } from '../augment/index.js';
import { BackendError, selectBackend, type BackendName } from '../src/backend/select.js';
import type { PretrainOptions } from '../src/config/pretrainOptions.js';
import { foldBatchNorm } from '../src/models/foldBatchNorm.js';
import { benchSetup, forwardFlops, IMAGE_SIZE, intFlag, median, randomViews } from './benchModel.js';
import { printSideBySide, type CaseResult } from './sideBySide.js';
import { runTorchReference, type TorchResult } from './torchReference.js';

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

/**
 * Encoder-only forward as features are computed (featureExtractor.ts: BatchNorm folded into the
 * convolutions), images/s over `views` views in chunks.
 */
async function inferenceRate(trained: tf.LayersModel, views: number, folded = true): Promise<{ wall: number; cpu: number }> {
  const chunk = Math.min(views, INFERENCE_CHUNK);
  const encoder = folded ? foldBatchNorm(trained) : trained;
  const x = randomViews(chunk / 2);
  const once = async () => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let done = 0; done < views; done += chunk) {
      const h = encoder.apply(x, { training: false }) as tf.Tensor;
      await h.data();
      h.dispose();
    }
    const used = process.cpuUsage(c0);
    return { wall: (performance.now() - t0) / 1000, cpu: (used.user + used.system) / 1e6 };
  };
  await once();
  const runs = [await once(), await once(), await once()];
  x.dispose();
  if (folded) encoder.dispose();
  return { wall: views / median(runs.map((r) => r.wall)), cpu: views / median(runs.map((r) => r.cpu)) };
}

/** `--name value` from argv, or the default. */
function stringFlag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 || process.argv[i + 1] === undefined ? fallback : process.argv[i + 1];
}

/** One case in this process; its figures go to `resultFile` for the side-by-side table. */
async function runCase(resultFile: string): Promise<void> {
  const batchSize = intFlag('batch-size', 256);
  const steps = intFlag('steps', 5);
  const warmup = intFlag('warmup', 1);
  const overrides: Partial<PretrainOptions> = {};
  if (process.argv.includes('--micro-batch')) overrides.microBatch = intFlag('micro-batch', batchSize);
  if (process.argv.includes('--replicas')) overrides.replicas = intFlag('replicas', 1);
  const requested = stringFlag('backend', 'wasm');
  let backend;
  try {
    // Any name is passed on: selectBackend knows which exist (and how to get the missing ones).
    // --threads: the native CPU backend's thread count (default every core).
    const threads = process.argv.includes('--threads') ? intFlag('threads', 1) : undefined;
    backend = await selectBackend(requested as BackendName, { threads });
  } catch (err) {
    if (!(err instanceof BackendError)) throw err;
    console.error(err.message);
    process.exit(2);
  }
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
  const threads = backend.threads === undefined ? '' : `, ${backend.threads} thread${backend.threads === 1 ? '' : 's'}`;
  console.log(`${requested} (${backend.package} ${backend.version}${threads}), ResNet-18 w0.25 CIFAR stem 32×32, head ${model.featureDim}→${model.featureDim}→64, ` +
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
  const { wall: inference, cpu: inferenceCpu } = await inferenceRate(model.encoder, Math.min(2 * batchSize, 2048));
  const { wall: unfolded } = await inferenceRate(model.encoder, Math.min(2 * batchSize, 2048), false);
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
  console.log(`  inference:  ${inference.toFixed(0)} images/s (encoder forward with BatchNorm folded, batches of ${Math.min(2 * batchSize, INFERENCE_CHUNK)}; ` +
    `${unfolded.toFixed(0)} unfolded); ${inferenceCpu.toFixed(0)} per CPU-second`);
  console.log(`  data stall: ${((100 * waitMs) / totalMs).toFixed(1)} % (time awaiting the two-view stage ÷ step wall time)`);
  console.log(`  peak RSS:   ${peakRss.toFixed(2)} GiB`);

  const counts = model.parameterCounts(); // countParams: BN moving statistics included
  const trainable = (m: tf.LayersModel) => m.trainableWeights.reduce((n, w) => n + tf.util.sizeFromShape(w.shape as number[]), 0);
  const result: CaseResult = {
    // Flag names, as the case was asked for: 'batch 4096, micro-batch 256'.
    label: [`batch ${batchSize}`, ...Object.entries(overrides).map(([k, v]) => `${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${v}`)].join(', '),
    backend: requested,
    batchSize,
    steps,
    warmup,
    imagesPerSecond: batchSize / seconds,
    gflops,
    inferenceImagesPerSecond: inference,
    inferenceImagesPerCpuSecond: inferenceCpu,
    forwardMflopPerView: flopsPerView / 1e6,
    parameters: { encoder: trainable(model.encoder), head: trainable(model.head), withBnStatistics: counts.encoder + counts.head },
  };
  writeFileSync(resultFile, JSON.stringify(result));
}

// --replicas runs wasm/cpu instances in worker threads; other backends already use every core.
const SINGLE_THREADED = ['wasm', 'cpu'];

/** argv without the orchestrator's own flags (the cases get their own --backend). */
function caseArgs(): string[] {
  const own = new Set(['--backend', '--torch-threads', '--python']);
  const out: string[] = [];
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (own.has(argv[i])) i++;
    else if (argv[i] !== '--no-torch') out.push(argv[i]);
  }
  return out;
}

/** Every case on every backend, each in its own process, then the PyTorch reference and the table. */
function runAll(): void {
  const self = fileURLToPath(import.meta.url);
  const backends = stringFlag('backend', 'wasm').split(',').filter(Boolean);
  const cases = process.argv.includes('--batch-size') ? [[]] : DEFAULT_CASES;
  const dir = mkdtempSync(join(tmpdir(), 'bench-train-'));
  // Figures mean little without the load they were measured under: print it at both ends.
  const load = () => loadavg().map((l) => l.toFixed(2)).join(', ');
  console.log(`${cpus().length} cores (${cpus()[0]?.model.trim()}), load average ${load()} at start`);
  const results: CaseResult[] = [];
  for (const backend of backends) {
    for (const args of cases) {
      const all = [...args, ...caseArgs()];
      if (all.includes('--replicas') && !SINGLE_THREADED.includes(backend)) {
        console.log(`(${all.join(' ')} skipped on ${backend}: --replicas is for the single-threaded backends)`);
        continue;
      }
      const file = join(dir, `${results.length}-${backend}.json`);
      const run = spawnSync(process.execPath, [self, ...all, '--backend', backend, '--result-file', file], { stdio: 'inherit' });
      if (run.status !== 0) console.log(`  (${all.join(' ')} --backend ${backend} exited with ${run.status ?? run.signal})`);
      else results.push(JSON.parse(readFileSync(file, 'utf8')) as CaseResult);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  if (results.length === 0) return;

  const references = new Map<number, TorchResult>();
  if (!process.argv.includes('--no-torch')) {
    // PyTorch at each case's whole batch, at once (no gradient caching: memory is not capped there).
    // Steps and warm-ups as the first case at that batch.
    const firstAtBatch = results.filter((r, i) => results.findIndex((q) => q.batchSize === r.batchSize) === i);
    const threads = process.argv.includes('--torch-threads') ? intFlag('torch-threads', 1) : undefined;
    for (const { batchSize, steps, warmup } of firstAtBatch) {
      const reference = runTorchReference({ batchSize, steps, warmup, threads, python: stringFlag('python', '') || undefined });
      if ('skipped' in reference) {
        console.log(reference.skipped);
        break;
      }
      references.set(batchSize, reference);
      console.log(`pytorch ${reference.torch} (oneDNN ${reference.onednn ?? '?'}, mkldnn ${reference.mkldnn_enabled ? 'on' : 'off'}, ` +
        `${reference.threads} thread${reference.threads === 1 ? '' : 's'}, channels-last), same model, batch ${batchSize}, synthetic views (no augmentation); ` +
        `${warmup} warm-up + ${steps} timed steps`);
      console.log(`  training:   ${reference.images_per_second.toFixed(1)} images/s, ${reference.gflops.toFixed(1)} GFLOP/s ` +
        `(median step ${reference.median_step_seconds.toFixed(2)} s of [${reference.step_seconds.map((s) => s.toFixed(2)).join(', ')}])`);
      const perCpu = reference.inference_images_per_cpu_second;
      console.log(`  inference:  ${reference.inference_images_per_second.toFixed(0)} images/s (encoder forward, eval mode, no grad)` +
        `${perCpu === undefined ? '' : `; ${perCpu.toFixed(0)} per CPU-second`}`);
      console.log(`  peak RSS:   ${reference.peak_rss_gib.toFixed(2)} GiB`);
    }
  }
  printSideBySide(results, references);
  // Under load, wall-time ratios measure the load as much as the code; CPU time per image does
  // not (with one thread each: with more, an engine's spin-waiting counts as CPU time too).
  for (const r of results) {
    const ref = references.get(r.batchSize)?.inference_images_per_cpu_second;
    if (ref !== undefined && r.inferenceImagesPerCpuSecond !== undefined) {
      console.log(`inference per CPU-second, ${r.label}, ${r.backend}: ${r.inferenceImagesPerCpuSecond.toFixed(0)} vs PyTorch ${ref.toFixed(0)}: ` +
        `${(r.inferenceImagesPerCpuSecond / ref).toFixed(2)}×`);
    }
  }
  console.log(`load average ${load()} at the end`);
}

if (process.argv.includes('--result-file')) await runCase(stringFlag('result-file', ''));
else runAll();
