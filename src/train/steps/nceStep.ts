import * as tf from '@tensorflow/tfjs';
import { nceLoss } from '../../losses/nce.js';
import type { SimclrModel } from '../../models/simclrModel.js';
import type { Optimizer } from '../../optim/optimizer.js';
import { finishStep, modelGrads, type TrainStep } from './trainStep.js';
import { VIEW_LOGIT_STATS, viewLogits } from './viewLogits.js';

/**
 * NCE (binary real-vs-noise, as InstDisc trains it): every one of the 2B views classifies its
 * positive as real and the batch's other 2B − 2 views as K noise samples, on logits cos/τ.
 * The noise is uniform over those K views, so the log(K·Pn) correction is 0 and h(s) = σ(s).
 */
export function nceStep(model: SimclrModel, optimizer: Optimizer, temperature: number): TrainStep {
  return {
    name: 'nce',
    async run(views, lr) {
      let stats: tf.Tensor1D | undefined;
      const { value, grads } = modelGrads(model, () => {
        const [z1, z2] = tf.split(model.project(views, true), 2, 0) as [tf.Tensor2D, tf.Tensor2D];
        const logits = viewLogits(z1, z2, 2 * z1.shape[0]);
        stats = tf.keep(logits.stats);
        return nceLoss(logits.positive.div(temperature), logits.negative.div(temperature));
      });
      return finishStep(model, optimizer, value, grads, lr, stats, VIEW_LOGIT_STATS);
    },
  };
}
