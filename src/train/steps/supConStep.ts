import * as tf from '@tensorflow/tfjs';
import { CONTRASTIVE_LOGIT_STATS } from '../../losses/contrastiveStats.js';
import { supConWithStats } from '../../losses/supCon.js';
import type { SimclrModel } from '../../models/simclrModel.js';
import type { Optimizer } from '../../optim/optimizer.js';
import { batchLabels } from './pairLossStep.js';
import { finishStep, modelGrads, type TrainStep } from './trainStep.js';

/** Supervised NT-Xent over the 2B views of the batch: the classes of its images from `labels` (--labels). */
export function supConStep(model: SimclrModel, optimizer: Optimizer, temperature: number, labels: Int32Array | undefined): TrainStep {
  if (!labels) throw new Error('--loss supcon needs --labels <ImageFolder of the --data images> (same class = positive)');
  return {
    name: 'supcon',
    async run(views, lr, context) {
      const imageLabels = batchLabels(labels, context);
      let stats: tf.Tensor1D | undefined;
      const { value, grads } = modelGrads(model, () => {
        const [z1, z2] = tf.split(model.project(views, true), 2, 0) as [tf.Tensor2D, tf.Tensor2D];
        const out = supConWithStats(z1, z2, imageLabels, temperature);
        stats = tf.keep(tf.slice(out.stats, 1, 3));
        return out.loss;
      });
      return finishStep(model, optimizer, value, grads, lr, stats, CONTRASTIVE_LOGIT_STATS);
    },
  };
}
