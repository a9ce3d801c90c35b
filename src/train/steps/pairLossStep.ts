import * as tf from '@tensorflow/tfjs';
import { CONTRASTIVE_STATS, contrastiveLossWithStats } from '../../losses/contrastive.js';
import type { DistanceMetric } from '../../losses/distances.js';
import { TRIPLET_STATS, tripletLossWithStats } from '../../losses/triplet.js';
import type { TripletMining } from '../../losses/tripletMining.js';
import type { SimclrModel } from '../../models/simclrModel.js';
import type { Optimizer } from '../../optim/optimizer.js';
import { finishStep, modelGrads, type StepContext, type TrainStep } from './trainStep.js';

export interface PairLossStepOptions {
  /** Triplet α / contrastive m; undefined: the loss's own default (0.2 / 1.0). */
  margin?: number;
  /**
   * Class of every dataset image (supervised pairs: same class ⇒ positive); undefined: the
   * self-supervised default, where only the two views of an image are positives.
   */
  labels?: Int32Array;
}

/** FaceNet's triplet loss with online mining in the batch; logs the easy / semi-hard / hard shares. */
export function tripletStep(
  model: SimclrModel,
  optimizer: Optimizer,
  o: PairLossStepOptions & { mining: TripletMining; distance: DistanceMetric },
): TrainStep {
  return pairLossStep('triplet', model, optimizer, o.labels, TRIPLET_STATS, (z1, z2, labels) => {
    const { loss, stats } = tripletLossWithStats(z1, z2, { margin: o.margin, mining: o.mining, distance: o.distance, labels });
    return { loss, stats: TRIPLET_STATS.map((name) => stats[name]) };
  });
}

/** Hadsell–Chopra–LeCun's margin loss over every pair of views in the batch. */
export function contrastiveStep(model: SimclrModel, optimizer: Optimizer, o: PairLossStepOptions): TrainStep {
  return pairLossStep('contrastive', model, optimizer, o.labels, CONTRASTIVE_STATS, (z1, z2, labels) => {
    const { loss, stats } = contrastiveLossWithStats(z1, z2, { margin: o.margin, labels });
    return { loss, stats: CONTRASTIVE_STATS.map((name) => stats[name]) };
  });
}

/** The classes of the step's B images, from the dataset's labels and the step's image indices. */
export function batchLabels(labels: Int32Array, context: StepContext | undefined): Int32Array {
  if (!context) throw new Error('labelled pairs need the step context (which images the views show)');
  return Int32Array.from(context.imageIndices, (i) => {
    if (!(Number.isInteger(i) && i >= 0 && i < labels.length)) {
      throw new Error(`step ${context.step}: image index ${i} has no label (${labels.length} labelled images)`);
    }
    return labels[i];
  });
}

type PairLoss = (z1: tf.Tensor2D, z2: tf.Tensor2D, labels: Int32Array | undefined) => { loss: tf.Scalar; stats: number[] };

/** The losses read their statistics on the CPU already (mining needs the distances there). */
function pairLossStep(
  name: string,
  model: SimclrModel,
  optimizer: Optimizer,
  labels: Int32Array | undefined,
  statNames: readonly string[],
  lossOf: PairLoss,
): TrainStep {
  return {
    name,
    async run(views, lr, context) {
      const imageLabels = labels ? batchLabels(labels, context) : undefined;
      let stats: number[] = [];
      const { value, grads } = modelGrads(model, () => {
        const [z1, z2] = tf.split(model.project(views, true), 2, 0) as [tf.Tensor2D, tf.Tensor2D];
        const out = lossOf(z1, z2, imageLabels);
        stats = out.stats;
        return out.loss;
      });
      return finishStep(model, optimizer, value, grads, lr, tf.tensor1d(stats), statNames);
    },
  };
}
