import * as tf from '@tensorflow/tfjs';
import { CONTRASTIVE_LOGIT_STATS } from '../../losses/contrastiveStats.js';
import { softmaxCrossEntropy } from '../../losses/softmaxCrossEntropy.js';
import { viewLogits } from '../../losses/contrastiveLogits.js';
import type { SimclrModel } from '../../models/simclrModel.js';
import type { Optimizer } from '../../optim/optimizer.js';
import {
  addGrads,
  backpropCachedGradient,
  joinProjections,
  microBatchViews,
  projectWithoutGradient,
  splitMicroBatches,
  splitProjections,
  type MicroBatch,
} from './gradientCache.js';
import { ntXentZGradient } from './ntXentZGradient.js';
import { batchRule, logitStep, type BatchRule, type NegativeSchedule } from './logitSteps.js';
import type { PositiveSource } from './batchPositives.js';
import { finishStep, type NamedGrads, type TrainStep } from './trainStep.js';

/**
 * Other replicas of the model (worker threads, see src/train/parallel/) that run shares of the
 * micro-batches. Both calls return once the work is sent, with one promise per replica.
 */
export interface ReplicaPool {
  readonly size: number;
  /** Pass 1 of each share on the current weights: z per micro-batch, as projectWithoutGradient. */
  project(model: SimclrModel, views: tf.Tensor4D, batchSize: number, shares: MicroBatch[][]): Promise<Promise<tf.Tensor2D[]>[]>;
  /** Pass 2 of the same shares with their dL/dz (in share order): one gradient sum per replica. */
  backprop(dz: tf.Tensor2D[], shares: MicroBatch[][]): Promise<Promise<NamedGrads>[]>;
  close(): void;
}

export interface NtXentStepOptions {
  /** Images per micro-batch: gradient caching (see gradientCache.ts). Default: the whole batch, no caching. */
  microBatch?: number;
  /** Other replicas (worker threads) that take shares of the micro-batches (needs microBatch); this thread is replica 0. */
  pool?: ReplicaPool;
  /** Positives beyond an image's own views (--pairs). */
  positives?: PositiveSource;
  /** --negatives. */
  negatives?: NegativeSchedule;
}

/**
 * SimCLR's step: NT-Xent over the 2B views of the batch, one update. Without micro-batches or
 * replicas all views go forward with gradients at once; otherwise by gradient caching, which
 * gives the same full-batch loss and gradient (BN statistics per micro-batch).
 */
export function ntXentStep(model: SimclrModel, optimizer: Optimizer, temperature: number, o: NtXentStepOptions = {}): TrainStep {
  const { microBatch, pool, positives, negatives } = o;
  if (microBatch === undefined) {
    const step = logitStep('ntxent', model, optimizer, (z1, z2, batch) => {
      const logits = viewLogits(z1, z2, { temperature, ...batch });
      return { logits, loss: softmaxCrossEntropy(logits) };
    }, { positives, negatives });
    return { ...step, dispose: () => pool?.close() };
  }
  return {
    name: 'ntxent',
    async run(views, lr, context) {
      const batchSize = views.shape[0] / 2;
      const microBatches = splitMicroBatches(batchSize, Math.min(batchSize, microBatch));
      const rule = batchRule({ positives, negatives }, context);
      const { loss, stats, grads, negativesPerAnchor } = await cachedNtXentGradient(model, views, microBatches, temperature, pool, rule);
      const outcome = await finishStep(model, optimizer, loss, grads, lr, stats, CONTRASTIVE_LOGIT_STATS);
      return negatives ? { ...outcome, stats: { ...outcome.stats, negatives: negativesPerAnchor } } : outcome;
    },
    dispose() {
      pool?.close();
    },
  };
}

/**
 * The full-batch NT-Xent loss, statistics and parameter gradient by gradient caching. With a
 * pool, the micro-batches are shared out in contiguous runs: replica 0 (this thread) takes the
 * first, each worker the next; workers get the current weights with their views, so every
 * replica computes with the same parameters and only this thread keeps optimizer state.
 */
export async function cachedNtXentGradient(
  model: SimclrModel,
  views: tf.Tensor4D,
  microBatches: MicroBatch[],
  temperature: number,
  pool?: ReplicaPool,
  rule: BatchRule = {},
): Promise<{ loss: tf.Scalar; stats: tf.Tensor1D; grads: NamedGrads; negativesPerAnchor: number }> {
  const batchSize = views.shape[0] / 2;
  const shares = shareOut(microBatches, 1 + (pool?.size ?? 0));
  const [local, ...remote] = shares;
  // Workers are sent their work before this thread starts its own, so all replicas run at once.
  const remoteZ = pool ? await pool.project(model, views, batchSize, remote) : [];
  const localViews = local.map((mb) => microBatchViews(views, batchSize, mb));
  let localZ: tf.Tensor2D[] = [];
  try {
    localZ = projectWithoutGradient(model, localViews);
    const zs = [...localZ, ...(await Promise.all(remoteZ)).flat()];
    const [z1, z2] = joinProjections(zs);
    tf.dispose(zs);
    const { loss, stats, dz1, dz2, negativesPerAnchor } = ntXentZGradient(z1, z2, temperature, undefined, rule);
    tf.dispose([z1, z2]);
    const dz = splitProjections(dz1, dz2, microBatches);
    tf.dispose([dz1, dz2]);
    const remoteGrads = pool ? await pool.backprop(dz.slice(local.length), remote) : [];
    let grads = backpropCachedGradient(model, localViews, dz.slice(0, local.length));
    tf.dispose(dz);
    for (const g of await Promise.all(remoteGrads)) grads = addGrads(grads, g);
    return { loss, stats, grads, negativesPerAnchor };
  } finally {
    tf.dispose([...localViews, ...localZ]);
  }
}

/** Contiguous, balanced runs of micro-batches, one per replica (a replica may get none). */
function shareOut(microBatches: MicroBatch[], replicas: number): MicroBatch[][] {
  const k = microBatches.length;
  return Array.from({ length: replicas }, (_, r) => microBatches.slice(Math.floor((r * k) / replicas), Math.floor(((r + 1) * k) / replicas)));
}
