import { DEFAULT_RECIPE, SMALL_IMAGE_RECIPE } from '../../augment/recipe.js';
import type { BackendName } from '../backend/select.js';
import type { DistanceMetric } from '../losses/distances.js';
import { MOCO_QUEUE_SIZE } from '../losses/keyQueue.js';
import type { TripletMining } from '../losses/tripletMining.js';
import type { Backbone } from '../models/resnet.js';
import type { ModelConfig } from '../models/simclrModel.js';
import type { OptimizerName } from '../optim/index.js';
import { LR_SCALINGS, type LrScaling } from '../optim/schedule.js';
import { validateLossOptions, withLossDefaults } from '../objectives/lossOptions.js';
import type { LossName } from '../objectives/registry.js';

/** Every option of a pretraining run (CLI flag names are the kebab-case forms); unset optional ones take loss- or size-dependent defaults (withResolvedDefaults). */
export interface PretrainOptions {
  data: string;
  out: string;
  backend: BackendName;
  seed: number;
  /** Length of the run: `steps` wins when given, else `epochs` × steps per epoch. */
  epochs: number;
  steps?: number;
  batchSize: number;
  /** Images per micro-batch: gradient caching, the full batch's loss with one micro-batch's activations in memory (BN statistics per micro-batch). */
  microBatch?: number;
  /** Training replicas: this thread plus worker threads, each on a share of the micro-batches. */
  replicas: number;
  imageSize: number;
  /** Side of the decoded-image cache the crops are taken from (default: imageSize). */
  cacheSize?: number;
  backbone: Backbone;
  width: number;
  cifarStem?: boolean;
  projDim: number;
  projLayers: number;
  /** Softmax temperature τ; unset: the loss's paper default (see lossTemperature). */
  temperature?: number;
  loss: LossName;
  /** MoCo: keys in the queue (K) and the key encoder's EMA momentum m. */
  queueSize: number;
  mocoMomentum: number;
  /** Triplet: online mining strategy and the distance between normalised embeddings. */
  mining: TripletMining;
  distance: DistanceMetric;
  /** Triplet α / contrastive m; unset: the loss's paper default (0.2 / 1.0). */
  margin?: number;
  /** ImageFolder holding the training images: same-class images are positives (triplet, contrastive). */
  labels?: string;
  optimizer: OptimizerName;
  lr: number;
  lrScaling: LrScaling;
  weightDecay: number;
  warmupEpochs: number;
  /** Augmentation recipe and colour strength; unset: by image size (see augmentationOf). */
  augment?: string;
  colorStrength?: number;
  /** 'symmetric': the recipe on both views; 'paper': view 1 crop only (SimCLR's ablation protocol). */
  protocol: 'symmetric' | 'paper';
  concurrency: number;
  workers: number;
  maxPixels: number;
  logEvery: number;
  checkpointEvery: number;
  /** A non-finite loss or gradient stops the run, or skips that step and counts it. */
  onNan: 'stop' | 'skip';
  resume: boolean;
  force: boolean;
}

export const PRETRAIN_DEFAULTS: Omit<PretrainOptions, 'data' | 'out'> = {
  backend: 'auto',
  seed: 0,
  epochs: 100,
  batchSize: 128,
  replicas: 1,
  imageSize: 32,
  backbone: 'resnet18',
  width: 0.25,
  projDim: 128,
  projLayers: 2,
  loss: 'ntxent',
  queueSize: MOCO_QUEUE_SIZE,
  mocoMomentum: 0.999,
  mining: 'semi-hard',
  distance: 'euclidean',
  optimizer: 'lars',
  lr: 0.3,
  lrScaling: 'linear',
  weightDecay: 1e-6,
  warmupEpochs: 10,
  protocol: 'symmetric',
  concurrency: 8,
  workers: 1,
  maxPixels: 100_000_000,
  logEvery: 10,
  checkpointEvery: 100,
  onNan: 'stop',
  resume: false,
  force: false,
};

/** One clear line for the first invalid option, or nothing. */
export function validatePretrainOptions(o: PretrainOptions): void {
  const positiveInt: (keyof PretrainOptions)[] = ['batchSize', 'imageSize', 'projDim', 'projLayers', 'logEvery', 'checkpointEvery', 'concurrency'];
  for (const key of positiveInt) {
    const v = o[key] as number;
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${kebab(key)} must be a positive integer, got ${v}`);
  }
  if (o.batchSize < 2) throw new Error(`--batch-size must be at least 2 (each image needs negatives), got ${o.batchSize}`);
  if (o.steps !== undefined && (!Number.isInteger(o.steps) || o.steps < 1)) throw new Error(`--steps must be a positive integer, got ${o.steps}`);
  if (!(o.epochs > 0)) throw new Error(`--epochs must be > 0, got ${o.epochs}`);
  if (!(o.width > 0)) throw new Error(`--width must be > 0, got ${o.width}`);
  validateLossOptions(o);
  if (!(o.lr > 0)) throw new Error(`--lr must be > 0, got ${o.lr}`);
  if (!LR_SCALINGS.includes(o.lrScaling)) throw new Error(`--lr-scaling must be one of ${LR_SCALINGS.join(', ')}, got ${o.lrScaling}`);
  if (!(o.weightDecay >= 0)) throw new Error(`--weight-decay must be ≥ 0, got ${o.weightDecay}`);
  if (!(o.warmupEpochs >= 0)) throw new Error(`--warmup-epochs must be ≥ 0, got ${o.warmupEpochs}`);
  if (o.colorStrength !== undefined && !(o.colorStrength >= 0)) throw new Error(`--color-strength must be ≥ 0, got ${o.colorStrength}`);
  if (!Number.isInteger(o.workers) || o.workers < 0) throw new Error(`--workers must be an integer ≥ 0, got ${o.workers}`);
  if (!(Number.isInteger(o.maxPixels) && o.maxPixels >= 1)) throw new Error(`--max-pixels must be a positive integer, got ${o.maxPixels}`);
  validateMicroBatching(o);
  if (o.resume && o.force) throw new Error('--resume and --force contradict each other: pick one');
}

export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** --micro-batch and --replicas: NT-Xent only (its gradient is cached), and work for every replica. */
function validateMicroBatching(o: PretrainOptions): void {
  if (o.microBatch !== undefined && (!Number.isInteger(o.microBatch) || o.microBatch < 1)) {
    throw new Error(`--micro-batch must be a positive integer, got ${o.microBatch}`);
  }
  if (!Number.isInteger(o.replicas) || o.replicas < 1) throw new Error(`--replicas must be a positive integer, got ${o.replicas}`);
  if ((o.microBatch !== undefined || o.replicas > 1) && o.loss !== 'ntxent') {
    throw new Error(`--micro-batch and --replicas work with --loss ntxent only, got --loss ${o.loss}`);
  }
  const microBatches = Math.ceil(o.batchSize / (o.microBatch ?? Math.ceil(o.batchSize / o.replicas)));
  if (microBatches < o.replicas) {
    throw new Error(`--replicas ${o.replicas} needs as many micro-batches, but --batch-size ${o.batchSize} makes ${microBatches}: lower --micro-batch`);
  }
}

/**
 * Inputs up to this side get the SimCLR paper's small-image (CIFAR-10, 32 px) defaults: the 3×3
 * stride-1 stem without max-pool, no Gaussian blur, colour strength 0.5. Larger ones get its
 * ImageNet (224 px) defaults: 7×7 stride-2 stem with max-pool, blur, colour strength 1.0.
 */
export const SMALL_IMAGE_MAX_SIDE = 64;

const isSmallImage = (imageSize: number): boolean => imageSize <= SMALL_IMAGE_MAX_SIDE;

/** The augmentation a run's options describe: what is set, else the paper's recipe for the image size. */
export function augmentationOf(o: Pick<PretrainOptions, 'augment' | 'colorStrength' | 'imageSize'>): { augment: string; colorStrength: number } {
  const small = isSmallImage(o.imageSize);
  return {
    augment: o.augment ?? (small ? SMALL_IMAGE_RECIPE : DEFAULT_RECIPE),
    colorStrength: o.colorStrength ?? (small ? 0.5 : 1.0),
  };
}

/** The options with every loss- and size-dependent default filled in, so config.json records what a run used. */
export function withResolvedDefaults(o: PretrainOptions): PretrainOptions & ReturnType<typeof augmentationOf> {
  return { ...withLossDefaults(o), ...augmentationOf(o) };
}

/** The model a run's options describe (the CIFAR stem is the default for small images). */
export function modelConfigOf(o: Pick<PretrainOptions, 'backbone' | 'width' | 'imageSize' | 'cifarStem' | 'projDim' | 'projLayers' | 'seed'>): Required<ModelConfig> {
  return {
    backbone: o.backbone,
    width: o.width,
    imageSize: o.imageSize,
    cifarStem: o.cifarStem ?? isSmallImage(o.imageSize),
    projDim: o.projDim,
    projLayers: o.projLayers,
    seed: o.seed,
  };
}

/** What `raw` / `random` baselines take from a run's options: input size and architecture. */
export function encoderDefaultsOf(o: Parameters<typeof modelConfigOf>[0]): { imageSize: number; architecture: Omit<ModelConfig, 'imageSize'> } {
  const { imageSize, ...architecture } = modelConfigOf(o);
  return { imageSize, architecture };
}
