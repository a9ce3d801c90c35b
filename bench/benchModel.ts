/**
 * The issue's bench model — ResNet-18, CIFAR stem, width 0.25, 32×32×3, head 128→128→64 —
 * trained through the project's own path (SimclrModel, createTrainStep, LARS), and its
 * forward FLOPs counted from the layers' shapes. Shared by bench/train.ts and bench/profile.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { PRETRAIN_DEFAULTS, type PretrainOptions } from '../src/config/pretrainOptions.js';
import { SimclrModel } from '../src/models/simclrModel.js';
import { createOptimizer } from '../src/optim/index.js';
import { createTrainStep } from '../src/objectives/registry.js';
import type { TrainStep } from '../src/train/steps/trainStep.js';

export const IMAGE_SIZE = 32;

export interface BenchSetup {
  model: SimclrModel;
  step: TrainStep;
  dispose(): void;
}

/** The bench model with a LARS step; `overrides` carries e.g. microBatch/replicas. */
export function benchSetup(batchSize: number, overrides: Partial<PretrainOptions> = {}): BenchSetup {
  const options: PretrainOptions = {
    ...PRETRAIN_DEFAULTS,
    data: '',
    out: '',
    backbone: 'resnet18',
    width: 0.25,
    imageSize: IMAGE_SIZE,
    projDim: 64,
    projLayers: 2,
    batchSize,
    ...overrides,
  };
  const model = SimclrModel.build({
    backbone: options.backbone,
    width: options.width,
    imageSize: options.imageSize,
    cifarStem: true,
    projDim: options.projDim,
    projLayers: options.projLayers,
  });
  const optimizer = createOptimizer(options.optimizer, options.weightDecay);
  const step = createTrainStep(options, model, optimizer);
  return {
    model,
    step,
    dispose() {
      step.dispose?.();
      optimizer.dispose();
      model.dispose();
    },
  };
}

/** Multiply-adds ×2 of every conv and dense layer for one input (BN, ReLU, adds, pooling excluded). */
export function forwardFlops(model: tf.LayersModel): number {
  let flops = 0;
  for (const layer of model.layers) {
    const kernel = layer.weights.find((w) => w.originalName.endsWith('kernel'));
    if (kernel == null) continue;
    const outShape = layer.outputShape as number[];
    const outputs = outShape.slice(1).reduce((a, b) => a * b, 1);
    // Conv [kh,kw,ci,co] / dense [in,out]: each output element costs kh·kw·ci (or in) MACs.
    const macsPerOutput = kernel.shape.slice(0, -1).reduce((a, b) => a! * b!, 1)!;
    flops += 2 * outputs * macsPerOutput;
  }
  return flops;
}

/** Random views in [0, 1], [2B, 32, 32, 3]. */
export function randomViews(batchSize: number): tf.Tensor4D {
  return tf.randomUniform([2 * batchSize, IMAGE_SIZE, IMAGE_SIZE, 3]) as tf.Tensor4D;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `--name value` from argv, as a positive integer, or the default. */
export function intFlag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!(Number.isInteger(value) && value > 0)) {
    console.error(`--${name} must be a positive integer, got ${process.argv[i + 1]}`);
    process.exit(2);
  }
  return value;
}
