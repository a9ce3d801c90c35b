/**
 * The models' BatchNormalization layer: TF.js-layers' own, except that in training on the
 * onednn backend it runs one fused op (src/backend/onednn/batchNorm.ts) instead of moments +
 * batchNorm. Same weights, same moving-average rule, same class name in model.json, so a saved
 * model loads in stock TF.js; everywhere else it is the stock layer.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormTraining, fusedBatchNormSupported, ONEDNN } from '../backend/onednn/index.js';

type BatchNormArgs = Parameters<typeof tf.layers.batchNormalization>[0];
type StockLayer = tf.layers.Layer;
interface StockBatchNormalization {
  new (args?: BatchNormArgs): StockLayer;
}

/** The fields of the stock layer the fused path reads (private in its typings). */
interface BatchNormFields {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: tf.LayerVariable;
  beta: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

// The stock class as TF.js registered it for deserialisation (it is not exported by name).
const Stock = tf.serialization.SerializationMap.getMap().classNameMap.BatchNormalization[0] as unknown as StockBatchNormalization;

class FusableBatchNormalization extends Stock {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor | tf.Tensor[] {
    const training = kwargs.training === true;
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    const self = this as unknown as BatchNormFields;
    const lastAxis = self.axis === -1 || self.axis === input.shape.length - 1;
    if (!training || tf.getBackend() !== ONEDNN || !lastAxis || !self.center || !self.scale || (Array.isArray(inputs) && inputs.length !== 1)) {
      return super.call(inputs, kwargs);
    }
    return tf.tidy(() => {
      const gamma = self.gamma.read();
      const beta = self.beta.read();
      if (!fusedBatchNormSupported(input, gamma, beta)) return super.call(inputs, kwargs) as tf.Tensor;
      const { y, mean, variance } = batchNormTraining(input, gamma, beta, self.epsilon);
      // The stock layer's update: moving ← moving − (moving − batch)·(1 − momentum).
      for (const [moving, batch] of [[self.movingMean, mean], [self.movingVariance, variance]] as const) {
        tf.tidy(() => {
          const old = moving.read();
          moving.write(tf.sub(old, tf.mul(tf.sub(old, batch), 1 - self.momentum)));
        });
      }
      return y;
    });
  }
}

// Models loaded from model.json (a bundled or exported encoder being fine-tuned) get this class
// too: it is registered under the stock class name, which it keeps, so loading in this process
// builds the fusable layer (4× faster fine-tuning on onednn), and files stay stock TF.js.
tf.serialization.registerClass(FusableBatchNormalization as unknown as tf.serialization.SerializableConstructor<tf.layers.Layer>);

/** Drop-in for tf.layers.batchNormalization. */
export function batchNormalization(args: BatchNormArgs): tf.layers.Layer {
  return new FusableBatchNormalization(args);
}
