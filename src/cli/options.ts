import type { Options } from 'yargs';
import { BACKEND_NAMES } from '../backend/select.js';
import { LOSS_NAMES } from '../config/lossOptions.js';
import { LR_SCALINGS } from '../optim/schedule.js';
import { PRETRAIN_DEFAULTS } from '../config/pretrainOptions.js';

/**
 * Flag definitions shared by every command, so that a flag means the same in every command.
 * Commands pick the ones they take; yargs maps kebab-case flags to camelCase keys.
 */
const d = PRETRAIN_DEFAULTS;
export const FLAGS = {
  data: { type: 'string', describe: 'folder of images (searched recursively)' },
  out: { type: 'string', describe: 'output directory' },
  backend: { choices: BACKEND_NAMES, default: d.backend, describe: 'tfjs backend (auto: tensorflow-gpu → tensorflow → wasm → cpu)' },
  seed: { type: 'number', default: d.seed, describe: 'seed of the one RNG (views, order, init)' },
  epochs: { type: 'number', default: d.epochs, describe: 'passes over the data' },
  steps: { type: 'number', describe: 'optimizer steps (overrides --epochs)' },
  'batch-size': { type: 'number', default: d.batchSize, describe: 'images per step (2× views)' },
  'micro-batch': { type: 'number', describe: 'images per micro-batch: exact full-batch NT-Xent in the memory of one micro-batch (gradient caching; BN statistics per micro-batch)' },
  replicas: { type: 'number', default: d.replicas, describe: 'training threads (data-parallel replicas in worker threads; wasm/cpu backends)' },
  'image-size': { type: 'number', default: d.imageSize, describe: 'side of the square views fed to the encoder' },
  'cache-size': { type: 'number', describe: 'side of the decoded-image cache crops come from (default: --image-size)' },
  backbone: { choices: ['resnet18', 'resnet34', 'resnet50'], default: d.backbone, describe: 'encoder architecture' },
  width: { type: 'number', default: d.width, describe: 'channel multiplier on the ResNet widths' },
  'cifar-stem': { type: 'boolean', describe: '3×3 stride-1 stem, no max-pool (default: on up to 64 px)' },
  'proj-dim': { type: 'number', default: d.projDim, describe: 'projection output dimension (z)' },
  'proj-layers': { type: 'number', default: d.projLayers, describe: 'dense layers in the projection head' },
  temperature: { type: 'number', describe: 'softmax temperature τ (default: 0.5 ntxent, 0.07 infonce/moco/nce)' },
  loss: { choices: LOSS_NAMES, default: d.loss, describe: 'objective (see README: Objectives)' },
  'queue-size': { type: 'number', default: d.queueSize, describe: 'moco: keys in the queue (negatives per query)' },
  'moco-momentum': { type: 'number', default: d.mocoMomentum, describe: 'moco: EMA momentum of the key encoder' },
  mining: { choices: ['all', 'hard', 'semi-hard'], default: d.mining, describe: 'triplet: online mining of negatives in the batch' },
  distance: { choices: ['euclidean', 'cosine'], default: d.distance, describe: 'triplet: distance between normalised embeddings' },
  margin: { type: 'number', describe: 'triplet α / contrastive m (default: 0.2 / 1.0)' },
  labels: { type: 'string', describe: 'triplet/contrastive: ImageFolder of the --data images; same class = positive' },
  optimizer: { choices: ['lars', 'adam'], default: d.optimizer, describe: 'optimizer' },
  lr: { type: 'number', default: d.lr, describe: 'base learning rate (scaled by --lr-scaling)' },
  'lr-scaling': { choices: LR_SCALINGS, default: d.lrScaling, describe: 'linear: lr×B/256, sqrt: lr×√B' },
  'weight-decay': { type: 'number', default: d.weightDecay, describe: 'weight decay (not on BatchNorm or bias)' },
  'warmup-epochs': { type: 'number', default: d.warmupEpochs, describe: 'linear warmup, then cosine decay' },
  augment: { type: 'string', describe: 'augmentation recipe, ops joined by + (default: crop+flip+color+grayscale up to 64 px, +blur above: the paper\'s CIFAR-10 / ImageNet recipes)' },
  'color-strength': { type: 'number', describe: 'colour jitter strength s (default: 0.5 up to 64 px, 1.0 above)' },
  protocol: { choices: ['symmetric', 'paper'], default: d.protocol, describe: "views: recipe on both (symmetric) or view 1 crop-only (paper's ablation)" },
  concurrency: { type: 'number', default: d.concurrency, describe: 'images decoded at once' },
  workers: { type: 'number', default: d.workers, describe: 'augmentation worker threads (0: main thread)' },
  'max-pixels': { type: 'number', default: d.maxPixels, describe: 'skip images with more pixels (decompression bombs)' },
  'log-every': { type: 'number', default: d.logEvery, describe: 'steps between metrics lines' },
  'checkpoint-every': { type: 'number', default: d.checkpointEvery, describe: 'steps between checkpoints' },
  'on-nan': { choices: ['stop', 'skip'], default: d.onNan, describe: 'non-finite loss/gradient: stop the run, or skip the step and count it' },
  resume: { type: 'boolean', default: d.resume, describe: 'continue the run in --out from its checkpoint' },
  force: { type: 'boolean', default: d.force, describe: 'overwrite an existing --out' },
} satisfies Record<string, Options>;

export type FlagName = keyof typeof FLAGS;

export function pick(...names: FlagName[]): Record<string, Options> {
  return Object.fromEntries(names.map((n) => [n, FLAGS[n]]));
}

/** Every flag of `simclr pretrain`; `simclr ablate` passes them through to every cell. */
export const PRETRAIN_FLAGS = ['data', 'out', 'backend', 'seed', 'epochs', 'steps', 'batch-size', 'micro-batch', 'replicas', 'image-size', 'cache-size', 'backbone', 'width', 'cifar-stem', 'proj-dim', 'proj-layers', 'temperature', 'loss', 'queue-size', 'moco-momentum', 'mining', 'distance', 'margin', 'labels', 'optimizer', 'lr', 'lr-scaling', 'weight-decay', 'warmup-epochs', 'augment', 'color-strength', 'protocol', 'concurrency', 'workers', 'max-pixels', 'log-every', 'checkpoint-every', 'on-nan', 'resume', 'force'] as const satisfies readonly FlagName[];
