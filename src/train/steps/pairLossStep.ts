import * as tf from '@tensorflow/tfjs';
import { CONTRASTIVE_STATS, contrastiveLossWithStats } from '../../losses/contrastive.js';
import type { DistanceMetric } from '../../losses/distances.js';
import { RANKING_STATS, rankingLossWithStats } from '../../losses/ranking.js';
import { TRIPLET_STATS, tripletLossWithStats } from '../../losses/triplet.js';
import type { TripletMining } from '../../losses/tripletMining.js';
import type { SimclrModel } from '../../models/simclrModel.js';
import type { Optimizer } from '../../optim/optimizer.js';
import { batchPositives, type BatchPositives, type PositiveSource } from './batchPositives.js';
import { finishStep, modelGrads, type TrainStep } from './trainStep.js';

export { batchLabels } from './batchPositives.js';

/**
 * Positives beyond the two views of an image: `labels` (class of every dataset image: same class
 * ⇒ positive) or `pairs` (--pairs); neither: the self-supervised default.
 */
export interface PairLossStepOptions extends PositiveSource {
  /** Triplet α / contrastive m / ranking m; undefined: the loss's own default. */
  margin?: number;
}

/** FaceNet's triplet loss with online mining in the batch; logs the easy / semi-hard / hard shares. */
export function tripletStep(
  model: SimclrModel,
  optimizer: Optimizer,
  o: PairLossStepOptions & { mining: TripletMining; distance: DistanceMetric },
): TrainStep {
  return pairLossStep('triplet', model, optimizer, o, TRIPLET_STATS, (z1, z2, positives) => {
    const { loss, stats } = tripletLossWithStats(z1, z2, { margin: o.margin, mining: o.mining, distance: o.distance, ...positives });
    return { loss, stats: TRIPLET_STATS.map((name) => stats[name]) };
  });
}

/** Pairwise margin ranking on cosine scores, with the triplet's mining. */
export function rankingStep(model: SimclrModel, optimizer: Optimizer, o: PairLossStepOptions & { mining: TripletMining }): TrainStep {
  return pairLossStep('ranking', model, optimizer, o, RANKING_STATS, (z1, z2, positives) => {
    const { loss, stats } = rankingLossWithStats(z1, z2, { margin: o.margin, mining: o.mining, ...positives });
    return { loss, stats: RANKING_STATS.map((name) => stats[name]) };
  });
}

/** Hadsell–Chopra–LeCun's margin loss over every pair of views in the batch. */
export function contrastiveStep(model: SimclrModel, optimizer: Optimizer, o: PairLossStepOptions): TrainStep {
  return pairLossStep('contrastive', model, optimizer, o, CONTRASTIVE_STATS, (z1, z2, positives) => {
    const { loss, stats } = contrastiveLossWithStats(z1, z2, { margin: o.margin, ...positives });
    return { loss, stats: CONTRASTIVE_STATS.map((name) => stats[name]) };
  });
}

type PairLoss = (z1: tf.Tensor2D, z2: tf.Tensor2D, positives: BatchPositives) => { loss: tf.Scalar; stats: number[] };

/** The losses read their statistics on the CPU already (mining needs the distances there). */
function pairLossStep(
  name: string,
  model: SimclrModel,
  optimizer: Optimizer,
  source: PositiveSource,
  statNames: readonly string[],
  lossOf: PairLoss,
): TrainStep {
  return {
    name,
    async run(views, lr, context) {
      const positives = batchPositives(source, context);
      let stats: number[] = [];
      const { value, grads } = modelGrads(model, () => {
        const [z1, z2] = tf.split(model.project(views, true), 2, 0) as [tf.Tensor2D, tf.Tensor2D];
        const out = lossOf(z1, z2, positives);
        stats = out.stats;
        return out.loss;
      });
      return finishStep(model, optimizer, value, grads, lr, tf.tensor1d(stats), statNames);
    },
  };
}
