/**
 * The Add layer of the ResNets' residual connections, saving nothing for its gradient. TF.js's
 * Add kernel keeps both inputs alive on the gradient tape (its gradient reads their shapes, to
 * undo broadcasting), which for a residual add is each block's last BatchNorm output: a fifth
 * of the bench model's saved activations, kept for nothing. Two inputs of one shape need no
 * broadcasting: their gradients are dy itself.
 *
 * Registered under the stock class name, as the fusable BatchNorm is: files stay stock TF.js
 * and a loaded model gets this class in this process.
 */
import * as tf from '@tensorflow/tfjs';

type LayerClass = new (args: tf.serialization.ConfigDict) => tf.layers.Layer;

// The stock class as TF.js registered it for deserialisation.
const Stock = tf.serialization.SerializationMap.getMap().classNameMap.Add[0] as unknown as LayerClass;

/** a + b for two tensors of one shape, with no tensor saved for the gradient. */
export const addSavingNothing: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor = tf.customGrad((...inputs) => {
  const [a, b] = inputs as tf.Tensor[];
  return {
    value: tf.add(a, b),
    // Two objects: a gradient function must not hand one tensor to two inputs (stock backprop
    // disposes an input's gradient when it accumulates into it).
    gradFunc: (dy: tf.Tensor) => [dy.clone(), dy.clone()],
  };
});

class ResidualAdd extends Stock {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor | tf.Tensor[] {
    if (Array.isArray(inputs) && inputs.length === 2 && tf.util.arraysEqual(inputs[0].shape, inputs[1].shape) && inputs[0].dtype === 'float32' && inputs[1].dtype === 'float32') {
      return addSavingNothing(inputs[0], inputs[1]);
    }
    return (super.call as (i: tf.Tensor | tf.Tensor[], k: tf.serialization.ConfigDict) => tf.Tensor | tf.Tensor[])(inputs, kwargs);
  }
}

tf.serialization.registerClass(ResidualAdd as unknown as tf.serialization.SerializableConstructor<tf.layers.Layer>);

/** Drop-in for tf.layers.add. */
export function residualAdd(args: tf.serialization.ConfigDict): tf.layers.Layer {
  return new ResidualAdd(args);
}
