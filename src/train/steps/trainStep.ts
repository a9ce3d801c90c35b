import * as tf from '@tensorflow/tfjs';
import type { TrainableModel } from '../../models/trainableModel.js';
import type { Optimizer } from '../../optim/optimizer.js';
import { leanVariableGrads } from './leanGradients.js';

/** What one optimizer step reports; `stats` are logged as they are (e.g. top1, cosines). */
export interface StepOutcome {
  loss: number;
  /** Global L2 norm of the parameter gradient. */
  gradNorm: number;
  /** False when the loss or gradient was NaN/Inf; the update was then not applied. */
  finite: boolean;
  stats: Record<string, number>;
}

/** Which images a step's views show: labelled objectives look up their classes. */
export interface StepContext {
  step: number;
  /** Dataset index of each of the B images, in batch order. */
  imageIndices: readonly number[];
}

/**
 * One training step of an objective on 2B views laid out [view 1 of B images; view 2 of the
 * same images]. Objectives with state beyond model and optimizer (a MoCo queue and key
 * encoder) expose it for checkpoints: state()'s tensors stay owned by the step and are valid
 * until its next run.
 */
export interface TrainStep {
  readonly name: string;
  run(views: tf.Tensor4D, lr: number, context?: StepContext): Promise<StepOutcome>;
  state?(): tf.NamedTensorMap;
  restore?(tensors: tf.NamedTensorMap): void;
  dispose?(): void;
}

/** Parameter gradients keyed by the model's stable weight names (see TrainableModel.namedWeights). */
export type NamedGrads = Record<string, tf.Tensor>;

/**
 * The one place a step ends: global gradient norm, a finiteness check on loss and gradient,
 * then — only if both are finite — the optimizer update. Disposes `grads` and `statsTensor`.
 */
export async function finishStep(
  model: TrainableModel,
  optimizer: Optimizer,
  loss: tf.Scalar,
  grads: NamedGrads,
  lr: number,
  statsTensor: tf.Tensor1D | undefined,
  statNames: readonly string[],
): Promise<StepOutcome> {
  const gradNormTensor = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))));
  const [lossValue, gradNorm, stats] = await Promise.all([
    loss.data().then((d) => d[0]),
    gradNormTensor.data().then((d) => d[0]),
    statsTensor ? statsTensor.data() : Promise.resolve(new Float32Array(0)),
  ]);
  const finite = Number.isFinite(lossValue) && Number.isFinite(gradNorm);
  if (finite) optimizer.applyGradients(grads, model.namedWeights(true), lr);
  tf.dispose([loss, gradNormTensor, ...(statsTensor ? [statsTensor] : []), ...Object.values(grads)]);
  return {
    loss: lossValue,
    gradNorm,
    finite,
    stats: Object.fromEntries(statNames.map((name, i) => [name, stats[i]])),
  };
}

/** Gradients over the model's trainable weights (leanVariableGrads), re-keyed by stable weight names. */
export function modelGrads(model: TrainableModel, f: () => tf.Scalar): { value: tf.Scalar; grads: NamedGrads } {
  const variables = model.namedWeights(true);
  const keyOf = new Map(Object.entries(variables).map(([key, v]) => [v.name, key]));
  const { value, grads } = leanVariableGrads(f, Object.values(variables));
  const named: NamedGrads = {};
  for (const [varName, g] of Object.entries(grads)) named[keyOf.get(varName)!] = g;
  return { value, grads: named };
}
