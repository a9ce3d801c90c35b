import * as tf from '@tensorflow/tfjs';
import { applyFreeingIntermediates } from './applyFreeing.js';
import { buildProjectionHead } from './projectionHead.js';
import { buildResNet, featureDim, type Backbone } from './resnet.js';

export interface ModelConfig {
  backbone: Backbone;
  width: number;
  imageSize: number;
  cifarStem: boolean;
  projDim: number;
  projLayers: number;
  /** Seeds the initial weights (default 0). */
  seed?: number;
}

/** Encoder f(·) (output h) and projection head g(·) (output z), built as two tfjs models. */
export class SimclrModel {
  readonly featureDim: number;

  private constructor(
    readonly config: ModelConfig,
    readonly encoder: tf.LayersModel,
    readonly head: tf.LayersModel,
  ) {
    this.featureDim = featureDim(config.backbone, config.width);
  }

  static build(config: ModelConfig): SimclrModel {
    const encoder = buildResNet(config);
    const dim = featureDim(config.backbone, config.width);
    const head = buildProjectionHead({ inputDim: dim, outputDim: config.projDim, layers: config.projLayers, seed: config.seed });
    return new SimclrModel(config, encoder, head);
  }

  /** z for a batch of views; `training` uses batch statistics and updates BN moving averages. */
  project(images: tf.Tensor4D, training: boolean): tf.Tensor2D {
    return tf.tidy(() => {
      const h = (training ? applyFreeingIntermediates(this.encoder, images, { training }) : this.encoder.apply(images, { training })) as tf.Tensor2D;
      return this.head.apply(h, { training }) as tf.Tensor2D;
    });
  }

  /** Every weight (BN moving statistics included) under a stable name: `encoder/conv_3/kernel`. */
  namedWeights(trainableOnly = false): Record<string, tf.Variable> {
    const out: Record<string, tf.Variable> = {};
    for (const [prefix, model] of [['encoder', this.encoder], ['head', this.head]] as const) {
      for (const w of model.weights) {
        if (trainableOnly && !w.trainable) continue;
        out[`${prefix}/${w.originalName}`] = w.read() as tf.Variable;
      }
    }
    return out;
  }

  /** Trainable parameter count (encoder, head). */
  parameterCounts(): { encoder: number; head: number } {
    return { encoder: this.encoder.countParams(), head: this.head.countParams() };
  }

  dispose(): void {
    this.encoder.dispose();
    this.head.dispose();
  }
}
