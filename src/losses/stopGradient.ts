import * as tf from '@tensorflow/tfjs';

/** Identity in the forward pass, zero gradient in the backward pass (tfjs has no such op). */
export const stopGradient = tf.customGrad((...inputs) => ({
  value: (inputs[0] as tf.Tensor).clone(),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as <T extends tf.Tensor>(x: T) => T;
