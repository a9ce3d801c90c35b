import type * as tf from '@tensorflow/tfjs';

/**
 * What the trainer, the steps and checkpoints need of a model: its weights under stable names
 * (`encoder/conv_3/kernel`), BatchNorm moving statistics included unless `trainableOnly`.
 * SimclrModel (pretraining) and FineTuneModel (encoder + classifier) both are one.
 */
export interface TrainableModel {
  namedWeights(trainableOnly?: boolean): Record<string, tf.Variable>;
}
