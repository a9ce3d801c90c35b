/**
 * npm run bench:fashion-mnist — pretrain the bench model (ResNet-18, CIFAR stem, width 0.25,
 * 32×32, τ 0.5) for a fixed number of steps on the 60k Fashion-MNIST training images, then
 * probe on the 10k test images next to the raw and random baselines. Prints speed (images/s,
 * GFLOP/s = 3 × forward FLOPs × 2B views ÷ step time), data stall, peak RSS and the scores.
 *
 *   npm run bench:fashion-mnist -- [--steps 300] [--batch-size 256] [--micro-batch 128] [--out runs/bench-fm]
 *
 * Needs Debian's dataset-fashion-mnist (or the IDX files via `simclr data fashion-mnist --from`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

const steps = intFlag('steps', 300);
const batchSize = intFlag('batch-size', 256);
const microBatchFlag = process.argv.includes('--micro-batch') ? intFlag('micro-batch', 128) : undefined;
const out = stringFlag('out', `runs/bench-fashion-mnist-${Date.now()}`);
const dataDir = stringFlag('data', 'data/fashion-mnist');

if (!fs.existsSync(path.join(dataDir, 'train'))) {
  console.error(`exporting Fashion-MNIST to ${dataDir} (once)…`);
  await runData({ dataset: 'fashion-mnist', out: dataDir });
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
  warmupEpochs: 1,
  logEvery: 10,
  checkpointEvery: 100,
  ...(microBatchFlag ? { microBatch: microBatchFlag } : {}),
} as PretrainOptions;

const probeModel = SimclrModel.build({ backbone: 'resnet18', width: 0.25, imageSize: 32, cifarStem: true, projDim: 64, projLayers: 2 });
const flopsPerView = forwardFlops(probeModel.encoder) + forwardFlops(probeModel.head);
probeModel.dispose();

const started = Date.now();
const result = await pretrain(options);
const trainSeconds = (Date.now() - started) / 1000;
const metrics = (await readJsonl<Record<string, number>>(path.join(out, 'metrics.jsonl'))).slice(1); // after warm-up
const imagesPerSec = median(metrics.map((m) => m.imagesPerSec));
const stall = median(metrics.map((m) => m.dataStall));
const gflops = (3 * flopsPerView * 2 * imagesPerSec) / 1e9;

const report = await probe({
  encoder: out,
  train: path.join(dataDir, 'train'),
  test: path.join(dataDir, 'test'),
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
pretrain: ${result.finalStep} steps × batch ${batchSize}${microBatchFlag ? ` (micro-batch ${microBatchFlag})` : ''} in ${trainSeconds.toFixed(0)} s, final loss ${result.lastLoss.toFixed(4)}
training: ${imagesPerSec.toFixed(1)} images/s (median over log windows), ${gflops.toFixed(1)} GFLOP/s, data stall ${(100 * stall).toFixed(1)} %
peak RSS: ${peakRssMiB.toFixed(0)} MiB

${formatProbeSummary(report)}
`);
