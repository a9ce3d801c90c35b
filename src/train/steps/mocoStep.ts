import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../augment/rng.js';
import { l2Normalize } from '../../losses/distances.js';
import { KeyQueue } from '../../losses/keyQueue.js';
import { CONTRASTIVE_LOGIT_STATS } from '../../losses/contrastiveStats.js';
import { mocoLogits } from '../../losses/moco.js';
import { emaUpdate } from '../../losses/momentumEncoder.js';
import { softmaxCrossEntropy } from '../../losses/softmaxCrossEntropy.js';
import { SimclrModel } from '../../models/simclrModel.js';
import type { Optimizer } from '../../optim/optimizer.js';
import { batchRule, type NegativeSchedule } from './logitSteps.js';
import { finishStep, modelGrads, type TrainStep } from './trainStep.js';

export interface MocoStepOptions {
  /** τ (MoCo v1: 0.07). */
  temperature: number;
  /** K, the keys kept as negatives (MoCo: 65536). */
  queueSize: number;
  /** m of the key encoder's EMA (MoCo: 0.999). */
  momentum: number;
  /** --negatives K: each query keeps K queue entries drawn for it (from --negatives-after on). */
  negatives?: NegativeSchedule;
}

/** Checkpoint names of the step's state (under the checkpoint's 'objective/'). */
const KEY_ENCODER = 'key/';
const QUEUE_KEYS = 'queue/keys';
/** [ptr, count, size, dim] of the queue, int32. */
const QUEUE_POSITION = 'queue/position';
/** Stream of the one RNG that the initial queue is drawn from (with the model's seed). */
const QUEUE_STREAM = 0x4d6f436f;

/**
 * MoCo (He et al. 2020): queries are view 1 through the trained model, keys view 2 through a
 * momentum copy of it; InfoNCE of each query against its key and the K queued keys of earlier
 * steps, so the negatives no longer grow with the batch. After each step the key encoder moves
 * by EMA toward the model and the step's normalised keys replace the oldest in the queue.
 * As in MoCo, the queue starts full of random unit keys (seeded), which the first K/B steps
 * replace: the loss has K negatives from step 1.
 *
 * The key encoder runs outside the gradient tape and its variables are non-trainable: no
 * gradient reaches it. Its BatchNorm runs in training mode as in MoCo. MoCo's shuffle-BN
 * (keys' BN statistics taken over a different split of the batch across GPUs than the
 * queries') is a multi-GPU device; on one device both BNs see the whole batch, and the
 * shuffle would change nothing.
 */
export function mocoStep(model: SimclrModel, optimizer: Optimizer, o: MocoStepOptions): TrainStep {
  const keyEncoder = SimclrModel.build(model.config);
  keyEncoder.encoder.trainable = false;
  keyEncoder.head.trainable = false;
  const keyWeights = keyEncoder.namedWeights();
  const queryWeights = model.namedWeights();
  for (const [name, v] of Object.entries(keyWeights)) v.assign(queryWeights[name]);
  // EMA over parameters only; BN moving statistics of the key encoder follow its own batches.
  const trained = Object.keys(model.namedWeights(true));
  const emaTargets = trained.map((name) => keyWeights[name]);
  const emaSources = trained.map((name) => queryWeights[name]);
  let queue = randomKeyQueue(o.queueSize, model.config.projDim, model.config.seed ?? 0);
  let position: tf.Tensor1D | undefined;

  return {
    name: 'moco',
    async run(views, lr, context) {
      const { sampleNegatives } = batchRule({ negatives: o.negatives }, context);
      const [queryViews, keyViews] = tf.split(views, 2, 0) as [tf.Tensor4D, tf.Tensor4D];
      const keys = tf.tidy(() => l2Normalize(keyEncoder.project(keyViews, true)));
      let stats: tf.Tensor1D | undefined;
      let negativesPerAnchor = NaN;
      const { value, grads } = modelGrads(model, () => {
        const logits = mocoLogits(model.project(queryViews, true), keys, queue, o.temperature, sampleNegatives);
        stats = tf.keep(logits.stats);
        negativesPerAnchor = logits.negativesPerAnchor;
        return softmaxCrossEntropy(logits);
      });
      tf.dispose([queryViews, keyViews]);
      const outcome = await finishStep(model, optimizer, value, grads, lr, stats, CONTRASTIVE_LOGIT_STATS);
      // A skipped (non-finite) step leaves the key encoder and the queue as they were.
      if (outcome.finite) {
        emaUpdate(emaTargets, emaSources, o.momentum);
        queue.enqueue(keys);
      }
      keys.dispose();
      return o.negatives ? { ...outcome, stats: { ...outcome.stats, negatives: negativesPerAnchor } } : outcome;
    },

    state() {
      position?.dispose();
      position = tf.tensor1d([queue.ptr, queue.count, queue.size, queue.dim], 'int32');
      const state: tf.NamedTensorMap = { [QUEUE_KEYS]: queue.keys, [QUEUE_POSITION]: position };
      for (const [name, v] of Object.entries(keyWeights)) state[KEY_ENCODER + name] = v;
      return state;
    },

    restore(tensors) {
      const missing = [QUEUE_KEYS, QUEUE_POSITION, ...Object.keys(keyWeights).map((n) => KEY_ENCODER + n)].find((n) => !tensors[n]);
      if (missing) throw new Error(`checkpoint has no MoCo state '${missing}': was it written with another --loss or model?`);
      for (const [name, v] of Object.entries(keyWeights)) {
        const saved = tensors[KEY_ENCODER + name];
        if (saved.shape.join() !== v.shape.join()) {
          throw new Error(`checkpoint: key encoder weight ${name} has shape [${saved.shape}], the model expects [${v.shape}]`);
        }
      }
      const [ptr, count, size, dim] = tensors[QUEUE_POSITION].dataSync();
      if (size !== o.queueSize || dim !== queue.dim) {
        throw new Error(`checkpoint: MoCo queue is ${size} × ${dim}, this run's is ${o.queueSize} × ${queue.dim} (--queue-size, --proj-dim)`);
      }
      const restored = KeyQueue.fromState({ keys: tensors[QUEUE_KEYS].dataSync() as Float32Array, ptr, count, size, dim });
      for (const [name, v] of Object.entries(keyWeights)) v.assign(tensors[KEY_ENCODER + name]);
      queue.dispose();
      queue = restored;
    },

    dispose() {
      position?.dispose();
      queue.dispose();
      keyEncoder.dispose();
    },
  };
}

/** A full queue of `size` random unit keys (MoCo: normalize(randn(dim, K))). */
function randomKeyQueue(size: number, dim: number, seed: number): KeyQueue {
  const rng = Rng.derive(seed, QUEUE_STREAM);
  const keys = new Float32Array(size * dim);
  for (let row = 0; row < keys.length; row += dim) {
    let squares = 0;
    for (let j = 0; j < dim; j++) {
      const v = rng.normal();
      keys[row + j] = v;
      squares += v * v;
    }
    const scale = 1 / Math.sqrt(squares);
    for (let j = 0; j < dim; j++) keys[row + j] *= scale;
  }
  return KeyQueue.fromState({ keys, ptr: 0, count: size, size, dim });
}
