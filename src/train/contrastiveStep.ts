import * as tf from '@tensorflow/tfjs';
import { ntXentWithStats, readNtXentStats, type NtXentStats } from '../losses/ntXent.js';
import type { SimclrModel } from '../models/simclrModel.js';
import type { Optimizer } from '../optim/optimizer.js';

export interface StepResult extends NtXentStats {
  /** Global L2 norm of the parameter gradient. */
  gradNorm: number;
  /** False when the loss or gradient was NaN/Inf; the update was then not applied. */
  finite: boolean;
}

/**
 * One SimCLR step on 2B views laid out [view 1 of B images; view 2 of the same images]:
 * forward with gradients, NT-Xent, and — only if loss and gradient are finite — the update.
 */
export async function contrastiveStep(
  model: SimclrModel,
  optimizer: Optimizer,
  views: tf.Tensor4D,
  temperature: number,
  lr: number,
): Promise<StepResult> {
  const variables = model.namedWeights(true);
  const keyOf = new Map(Object.entries(variables).map(([key, v]) => [v.name, key]));
  let stats: tf.Tensor1D | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const z = model.project(views, true);
    const [z1, z2] = tf.split(z, 2, 0) as [tf.Tensor2D, tf.Tensor2D];
    const out = ntXentWithStats(z1, z2, temperature);
    stats = tf.keep(out.stats);
    return out.loss;
  }, Object.values(variables));
  const gradNorm = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))));
  const [values, norm] = await Promise.all([stats!.data(), gradNorm.data()]);
  const result: StepResult = { ...readNtXentStats(values), gradNorm: norm[0], finite: false };
  result.finite = Number.isFinite(result.loss) && Number.isFinite(result.gradNorm);
  if (result.finite) {
    const named: tf.NamedTensorMap = {};
    for (const [varName, g] of Object.entries(grads)) named[keyOf.get(varName)!] = g;
    optimizer.applyGradients(named, variables, lr);
  }
  tf.dispose([value, stats!, gradNorm, ...Object.values(grads)]);
  return result;
}
