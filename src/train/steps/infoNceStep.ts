import * as tf from '@tensorflow/tfjs';
import { infoNceLoss } from '../../losses/infoNce.js';
import type { SimclrModel } from '../../models/simclrModel.js';
import type { Optimizer } from '../../optim/optimizer.js';
import { finishStep, modelGrads, type TrainStep } from './trainStep.js';
import { VIEW_LOGIT_STATS, viewLogits } from './viewLogits.js';

/**
 * InfoNCE in its one-directional form (CPC, van den Oord et al. 2018): each view-1 query
 * classifies its view 2 among the batch's other 2B − 2 views (τ = 0.07 by default). NT-Xent is
 * the same cross-entropy averaged over all 2B anchors, so its view-2 anchors pull as well;
 * here only B anchors do, with gradient still flowing into both views as keys.
 */
export function infoNceStep(model: SimclrModel, optimizer: Optimizer, temperature: number): TrainStep {
  return {
    name: 'infonce',
    async run(views, lr) {
      let stats: tf.Tensor1D | undefined;
      const { value, grads } = modelGrads(model, () => {
        const [z1, z2] = tf.split(model.project(views, true), 2, 0) as [tf.Tensor2D, tf.Tensor2D];
        const logits = viewLogits(z1, z2, z1.shape[0]);
        stats = tf.keep(logits.stats);
        return infoNceLoss(logits.positive, logits.negative, temperature);
      });
      return finishStep(model, optimizer, value, grads, lr, stats, VIEW_LOGIT_STATS);
    },
  };
}
