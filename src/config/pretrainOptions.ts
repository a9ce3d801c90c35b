import { DEFAULT_RECIPE, SMALL_IMAGE_RECIPE } from '../../augment/recipe.js';
import type { ModelConfig } from '../models/simclrModel.js';
import { lossesTaking, takesOption, validateLossOptions, withLossDefaults } from '../objectives/lossOptions.js';
import { microBatchSize } from '../train/steps/gradientCache.js';
import { checkOption, defaultsOf, optionNames, type OptionsOf } from './options.js';

/**
 * Every option of a pretraining run, from the option table (src/config/options.ts); unset
 * optional ones take loss- or size-dependent defaults (withResolvedDefaults). `out` is always
 * set: the CLI picks runs/pretrain-<time> when it is not given.
 */
export type PretrainOptions = OptionsOf<'pretrain'> & { out: string };

export const PRETRAIN_DEFAULTS = defaultsOf('pretrain') as Omit<PretrainOptions, 'data' | 'out'>;

/** One clear line for the first invalid option, or nothing. */
export function validatePretrainOptions(o: PretrainOptions): void {
  for (const name of optionNames('pretrain')) checkOption(name, o[name as keyof PretrainOptions]);
  if (o.batchSize < 2) throw new Error(`--batch-size must be at least 2 (each image needs negatives), got ${o.batchSize}`);
  validateLossOptions(o);
  validateMicroBatching(o);
  if (o.resume && o.force) throw new Error('--resume and --force contradict each other: pick one');
  if ((o.evalTrain === undefined) !== (o.evalTest === undefined)) throw new Error('--eval-train and --eval-test go together: give both labelled folders, or neither');
}

/** --micro-batch and --replicas: objectives whose gradient is cached (the registry says which), and work for every replica. */
function validateMicroBatching(o: PretrainOptions): void {
  if ((o.microBatch !== undefined || o.replicas > 1) && !takesOption(o.loss, 'microBatch')) {
    throw new Error(`--micro-batch and --replicas work with --loss ${lossesTaking('microBatch').join(', ')} only, got --loss ${o.loss}`);
  }
  const microBatches = Math.ceil(o.batchSize / (o.microBatch ?? Math.ceil(o.batchSize / o.replicas)));
  if (microBatches < o.replicas) {
    throw new Error(`--replicas ${o.replicas} needs as many micro-batches, but --batch-size ${o.batchSize} makes ${microBatches}: lower --micro-batch`);
  }
}

/** The run length when neither --steps nor --epochs is given. */
export const DEFAULT_EPOCHS = 100;

/** Optimizer steps of a run: --steps, else --epochs (default 100) passes over the data. */
export function totalStepsOf(o: Pick<PretrainOptions, 'steps' | 'epochs'>, stepsPerEpoch: number): number {
  return o.steps ?? Math.max(1, Math.round((o.epochs ?? DEFAULT_EPOCHS) * stepsPerEpoch));
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
export function withResolvedDefaults(o: PretrainOptions): PretrainOptions & ReturnType<typeof augmentationOf> & { epochs: number; cifarStem: boolean; cacheSize: number } {
  return {
    ...withLossDefaults(withResolvedMicroBatch(o)),
    ...augmentationOf(o),
    epochs: o.epochs ?? DEFAULT_EPOCHS,
    cifarStem: modelConfigOf(o).cifarStem,
    cacheSize: o.cacheSize ?? o.imageSize,
  };
}

/**
 * Replicas split the batch into micro-batches (one share each), and BatchNorm normalises per
 * micro-batch, so the split decides the result: make it explicit. Then --replicas only says how
 * many threads run it, and a run resumed (or an ablation cell run) with other replicas trains
 * the same function.
 */
export function withResolvedMicroBatch<T extends Pick<PretrainOptions, 'batchSize' | 'microBatch' | 'replicas'>>(o: T): T {
  return o.replicas > 1 ? { ...o, microBatch: microBatchSize(o.batchSize, o.microBatch, o.replicas) } : o;
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

/**
 * What `raw` / `random` baselines take from a command's options: input size and architecture,
 * the pretrain defaults filling what the command does not take (the projection head).
 */
export function encoderDefaultsOf(o: Partial<Parameters<typeof modelConfigOf>[0]>): { imageSize: number; architecture: Omit<ModelConfig, 'imageSize'> } {
  const { imageSize, ...architecture } = modelConfigOf({ ...PRETRAIN_DEFAULTS, ...o });
  return { imageSize, architecture };
}
