import * as tf from '@tensorflow/tfjs';
import type { TrainableModel } from './trainableModel.js';

export interface FineTuneModelOptions {
  numClasses: number;
  /** The pretraining projection head, for `fromHeadLayer` > 0. */
  head?: tf.LayersModel;
  /** Keep the head's first k layers (SimCLRv2 fine-tunes from the first); 0: classify h. */
  fromHeadLayer?: number;
}

/** Layer name of the linear classifier on top of the features. */
export const CLASSIFIER_LAYER = 'classifier';

/**
 * Encoder (+ the first k projection-head layers) + a linear classifier, as one layers model
 * from images to logits, trained end to end. The classifier starts at zero, as SimCLR's
 * fine-tuning does (zero_init_logits_layer): the first steps move only it, and `--encoder
 * random` and a pretrained encoder then differ in nothing but the encoder's initial weights.
 * The model reuses the encoder's and head's layers (shared weights), so it is saved and loaded
 * as one stock TF.js layers model.
 */
export class FineTuneModel implements TrainableModel {
  private constructor(
    readonly model: tf.LayersModel,
    private readonly parts: tf.LayersModel[],
  ) {}

  static build(encoder: tf.LayersModel, { numClasses, head, fromHeadLayer = 0 }: FineTuneModelOptions): FineTuneModel {
    let x = encoder.outputs[0];
    if (fromHeadLayer > 0) {
      if (!head) throw new Error('--from-head-layer needs the projection head of a run (pass its run directory as --encoder)');
      const layers = headLayerCount(head);
      if (fromHeadLayer > layers) throw new Error(`--from-head-layer ${fromHeadLayer}: the run's projection head has ${layers} layers`);
      for (let i = 1; i <= fromHeadLayer; i++) {
        const names = i < layers ? [`proj_dense_${i}`, `proj_bn_${i}`, `proj_relu_${i}`] : [`proj_dense_${i}`];
        for (const name of names) x = head.getLayer(name).apply(x) as tf.SymbolicTensor;
      }
    }
    const logits = tf.layers.dense({ units: numClasses, kernelInitializer: 'zeros', name: CLASSIFIER_LAYER }).apply(x) as tf.SymbolicTensor;
    const model = tf.model({ inputs: encoder.inputs, outputs: logits, name: 'finetuned_classifier' });
    // The encoder's layers enter the model as they are (its outputs are reused, not re-applied),
    // so disposing the model frees them; the head's were applied again, so the head lets go too.
    return new FineTuneModel(model, head ? [head] : []);
  }

  get inputSize(): number {
    return this.model.inputs[0].shape[1] as number;
  }

  /** Logits for a batch of images in [0, 1]; `training` uses batch statistics and updates BN moving averages. */
  logits(images: tf.Tensor4D, training: boolean): tf.Tensor2D {
    return this.model.apply(images, { training }) as tf.Tensor2D;
  }

  /** Weights keyed by their layer-qualified names (unique within the model: `conv_3/kernel`, `classifier/bias`). */
  namedWeights(trainableOnly = false): Record<string, tf.Variable> {
    const out: Record<string, tf.Variable> = {};
    for (const w of this.model.weights) {
      if (trainableOnly && !w.trainable) continue;
      out[w.originalName] = w.read() as tf.Variable;
    }
    return out;
  }

  dispose(): void {
    this.model.dispose();
    for (const part of this.parts) part.dispose();
  }
}

function headLayerCount(head: tf.LayersModel): number {
  return head.layers.filter((l) => /^proj_dense_\d+$/.test(l.name)).length;
}
