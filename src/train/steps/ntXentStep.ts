import * as tf from '@tensorflow/tfjs';
import { ntXentWithStats } from '../../losses/ntXent.js';
import type { SimclrModel } from '../../models/simclrModel.js';
import type { Optimizer } from '../../optim/optimizer.js';
import { finishStep, modelGrads, type TrainStep } from './trainStep.js';

export const NT_XENT_STATS = ['top1', 'positiveCosine', 'negativeCosine'] as const;

/** SimCLR's step: forward all 2B views with gradients, NT-Xent over the batch, update. */
export function ntXentStep(model: SimclrModel, optimizer: Optimizer, temperature: number): TrainStep {
  return {
    name: 'ntxent',
    async run(views, lr) {
      let stats: tf.Tensor1D | undefined;
      const { value, grads } = modelGrads(model, () => {
        const z = model.project(views, true);
        const [z1, z2] = tf.split(z, 2, 0) as [tf.Tensor2D, tf.Tensor2D];
        const out = ntXentWithStats(z1, z2, temperature);
        // stats = [loss, top1, positiveCosine, negativeCosine]; the loss is reported separately.
        stats = tf.keep(tf.slice(out.stats, 1, 3));
        return out.loss;
      });
      return finishStep(model, optimizer, value, grads, lr, stats, NT_XENT_STATS);
    },
  };
}
