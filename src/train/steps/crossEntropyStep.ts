import * as tf from '@tensorflow/tfjs';
import type { FineTuneModel } from '../../models/fineTuneModel.js';
import type { Optimizer } from '../../optim/optimizer.js';
import { finishStep, modelGrads, type TrainStep } from './trainStep.js';

export const CROSS_ENTROPY_STATS = ['top1'] as const;

/**
 * Supervised fine-tuning step: mean softmax cross-entropy of the classifier's logits against
 * the images' labels. The batcher is the two-view stage; fine-tuning uses view 1 only (one
 * crop + flip per image), so `labels[context.imageIndices[i]]` is the class of row i.
 */
export function crossEntropyStep(model: FineTuneModel, optimizer: Optimizer, labels: Int32Array, numClasses: number): TrainStep {
  return {
    name: 'cross-entropy',
    async run(views, lr, context) {
      if (!context) throw new Error('cross-entropy step: needs the step context (which images are in the batch)');
      const batchSize = context.imageIndices.length;
      const y = Int32Array.from(context.imageIndices, (i) => labels[i]);
      let stats: tf.Tensor1D | undefined;
      const { value, grads } = modelGrads(model, () => {
        const images = tf.slice(views, [0, 0, 0, 0], [batchSize, -1, -1, -1]);
        const logits = model.logits(images, true);
        const target = tf.tensor1d(y, 'int32');
        const loss = tf.mean(tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, tf.oneHot(target, numClasses)), 1))) as tf.Scalar;
        stats = tf.keep(tf.reshape(tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), target), 'float32')), [1]) as tf.Tensor1D);
        return loss;
      });
      return finishStep(model, optimizer, value, grads, lr, stats, CROSS_ENTROPY_STATS);
    },
  };
}
