/**
 * npm run bench:fashion-mnist — pretrain the bench model (ResNet-18, CIFAR stem, width 0.25,
 * 32×32, τ 0.5) for a fixed number of steps on the 60k Fashion-MNIST training images, then
 * probe on the 10k test images next to the raw and random baselines. Prints speed (images/s,
 * GFLOP/s = 3 × forward FLOPs × 2B views ÷ step time), data stall, peak RSS and the scores.
 *
 *   npm run bench:fashion-mnist -- [--steps 200] [--batch-size 256] [--micro-batch 128] [--replicas 2]
 *                                  [--augment crop+flip+color+grayscale] [--lr 0.075] [--lr-scaling sqrt]
 *                                  [--probe-train-per-class 1000] [--out runs/bench-fm] [--resume]
 *
 * Defaults follow the SimCLR paper's small-image, short-budget setting: its CIFAR-10 augmentation
 * (no Gaussian blur at 32×32, colour strength 0.5) and square-root learning-rate scaling,
 * 0.075 × √B, which its appendix B.1 found better for small batches and few epochs.
 *
 * The probe's classifier is fit on the first N training images of each class (default 1000, so
 * 10k images: the raw-pixel baseline's 3072-d L-BFGS fits and the 10k × gallery kNN/retrieval
 * then take minutes, not most of an hour, on 2 cores); it is scored on all 10k test images.
 *
 * Needs Debian's dataset-fashion-mnist (or the IDX files via `simclr data fashion-mnist --from`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SMALL_IMAGE_RECIPE } from '../augment/recipe.js';
import { PRETRAIN_DEFAULTS, type PretrainOptions } from '../src/config/pretrainOptions.js';
import { readJsonl } from '../src/io/jsonl.js';
import { SimclrModel } from '../src/models/simclrModel.js';
import { runData } from '../pipelines/data.js';
import { formatProbeSummary, probe } from '../pipelines/probe.js';
import { pretrain } from '../pipelines/pretrain.js';
import { forwardFlops, intFlag, median } from './benchModel.js';

function stringFlag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
}

const steps = intFlag('steps', 200);
const batchSize = intFlag('batch-size', 256);
const microBatchFlag = process.argv.includes('--micro-batch') ? intFlag('micro-batch', 128) : undefined;
const replicas = intFlag('replicas', 1);
const augment = stringFlag('augment', SMALL_IMAGE_RECIPE);
const lr = Number(stringFlag('lr', '0.075'));
const lrScaling = stringFlag('lr-scaling', 'sqrt') as PretrainOptions['lrScaling'];
const resume = process.argv.includes('--resume');
const probeTrainPerClass = intFlag('probe-train-per-class', 1000);
const out = stringFlag('out', `runs/bench-fashion-mnist-${Date.now()}`);
const dataDir = stringFlag('data', 'data/fashion-mnist');
const probeDir = `${dataDir}-probe${probeTrainPerClass}`;

for (const [dir, trainPerClass] of [[dataDir, undefined], [probeDir, probeTrainPerClass]] as const) {
  if (fs.existsSync(path.join(dir, 'train'))) continue;
  console.error(`exporting Fashion-MNIST to ${dir} (once)…`);
  await runData({ dataset: 'fashion-mnist', out: dir, trainPerClass });
}

const options: PretrainOptions = {
  ...PRETRAIN_DEFAULTS,
  data: path.join(dataDir, 'train'),
  out,
  backbone: 'resnet18',
  width: 0.25,
  imageSize: 32,
  cifarStem: true,
  projDim: 64,
  projLayers: 2,
  batchSize,
  steps,
  temperature: 0.5,
  augment,
  colorStrength: 0.5,
  lr,
  lrScaling,
  resume,
  // Warm up over the first 10 % of the steps (60k training images), then cosine decay.
  warmupEpochs: (0.1 * steps * batchSize) / 60_000,
  logEvery: 10,
  checkpointEvery: 100,
  replicas,
  ...(microBatchFlag ? { microBatch: microBatchFlag } : {}),
};

const probeModel = SimclrModel.build({ backbone: 'resnet18', width: 0.25, imageSize: 32, cifarStem: true, projDim: 64, projLayers: 2 });
const flopsPerView = forwardFlops(probeModel.encoder) + forwardFlops(probeModel.head);
probeModel.dispose();

const started = Date.now();
const result = await pretrain(options);
const trainSeconds = (Date.now() - started) / 1000;
const records = await readJsonl<Record<string, number>>(path.join(out, 'metrics.jsonl'));
const metrics = records.slice(1); // after warm-up
// The whole run's step time, summed over its log windows: counts every resumed part once
// (start-up, checkpoint writes and the time between sessions are not training).
let runSeconds = 0;
for (let i = 0; i < records.length; i++) {
  const windowSteps = records[i].step - (i > 0 ? records[i - 1].step : 0);
  runSeconds += (windowSteps * batchSize) / records[i].imagesPerSec;
}
const imagesPerSec = median(metrics.map((m) => m.imagesPerSec));
const stall = median(metrics.map((m) => m.dataStall));
const gflops = (3 * flopsPerView * 2 * imagesPerSec) / 1e9;

const report = await probe({
  encoder: out,
  train: path.join(probeDir, 'train'),
  test: path.join(probeDir, 'test'),
  out: path.join(out, 'probe.json'),
  backend: options.backend,
  baselines: true,
  k: 20,
  seed: 0,
  concurrency: options.concurrency,
  defaults: {
    imageSize: 32,
    architecture: { backbone: 'resnet18', width: 0.25, cifarStem: true, projDim: 64, projLayers: 2 },
  },
});

const peakRssMiB = process.resourceUsage().maxRSS / 1024;
console.log(`
== Fashion-MNIST benchmark (${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'cpu'}; backend ${result.backend.active})
bench model: ResNet-18 CIFAR stem, width 0.25, 32×32, head →64; ${(flopsPerView / 1e6).toFixed(1)} MFLOP forward per view
pretrain: ${result.finalStep} steps × batch ${batchSize}${microBatchFlag ? ` (micro-batch ${microBatchFlag})` : ''}, ${replicas} replica(s), on 60k images, final loss ${result.lastLoss.toFixed(4)}
training time: ${runSeconds.toFixed(0)} s of steps over the whole run (Σ log windows)${resume ? `; this resumed part ${trainSeconds.toFixed(0)} s wall` : `, ${trainSeconds.toFixed(0)} s wall`}
augmentation: ${augment} (colour strength 0.5); LARS lr ${lr} (${lrScaling} scaling), τ 0.5, warm-up 10 % of the steps, cosine
probe: classifier fit on ${probeTrainPerClass}/class training images, scored on the 10k test images
training: ${imagesPerSec.toFixed(1)} images/s (median over log windows), ${gflops.toFixed(1)} GFLOP/s, data stall ${(100 * stall).toFixed(1)} %
peak RSS: ${peakRssMiB.toFixed(0)} MiB

${formatProbeSummary(report)}
`);
