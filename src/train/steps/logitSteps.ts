import * as tf from '@tensorflow/tfjs';
import type { ContrastiveLogits } from '../../losses/contrastiveLogits.js';
import { CONTRASTIVE_LOGIT_STATS } from '../../losses/contrastiveStats.js';
import { binaryNce } from '../../losses/nce.js';
import { softmaxCrossEntropy } from '../../losses/softmaxCrossEntropy.js';
import { viewLogits } from '../../losses/contrastiveLogits.js';
import type { SimclrModel } from '../../models/simclrModel.js';
import type { Optimizer } from '../../optim/optimizer.js';
import { stepNegatives, type NegativeSample } from '../../losses/negativeSampling.js';
import { batchPositives, type BatchPositives, type PositiveSource } from './batchPositives.js';
import { finishStep, modelGrads, type StepContext, type TrainStep } from './trainStep.js';

/** What a step's logits are built with beyond its views: extra positives, drawn negatives. */
export type BatchRule = BatchPositives & { sampleNegatives?: NegativeSample };

/** The batch's projections [z1; z2] and rule → contrastive logits → a loss on them. */
export type LogitObjective = (z1: tf.Tensor2D, z2: tf.Tensor2D, rule: BatchRule) => { logits: ContrastiveLogits; loss: tf.Scalar };

/** --negatives K from step `fromStep` on (--negatives-after E: E × steps per epoch), drawn from (seed, step). */
export interface NegativeSchedule {
  count: number;
  seed: number;
  fromStep: number;
}

export interface LogitStepOptions {
  /** Positives beyond an image's own views (--pairs). */
  positives?: PositiveSource;
  negatives?: NegativeSchedule;
}

/** The step's positives and, once the schedule has started, its negative draws. */
export function batchRule(o: LogitStepOptions, context: StepContext | undefined): BatchRule {
  const rule: BatchRule = batchPositives(o.positives ?? {}, context);
  if (o.negatives && context && context.step >= o.negatives.fromStep) rule.sampleNegatives = stepNegatives(o.negatives.count, o.negatives.seed, context.step);
  return rule;
}

/**
 * One update on a loss of the batch's contrastive logits; logs their statistics
 * (CONTRASTIVE_LOGIT_STATS), and with --negatives `negatives`, the batch negatives per anchor used.
 */
export function logitStep(name: string, model: SimclrModel, optimizer: Optimizer, objective: LogitObjective, o: LogitStepOptions = {}): TrainStep {
  const { negatives: schedule } = o;
  return {
    name,
    async run(views, lr, context) {
      const rule = batchRule(o, context);
      let stats: tf.Tensor1D | undefined;
      let negativesPerAnchor = NaN;
      const { value, grads } = modelGrads(model, () => {
        const [z1, z2] = tf.split(model.project(views, true), 2, 0) as [tf.Tensor2D, tf.Tensor2D];
        const { logits, loss } = objective(z1, z2, rule);
        stats = tf.keep(logits.stats);
        negativesPerAnchor = logits.negativesPerAnchor;
        return loss;
      });
      const outcome = await finishStep(model, optimizer, value, grads, lr, stats, CONTRASTIVE_LOGIT_STATS);
      return schedule ? { ...outcome, stats: { ...outcome.stats, negatives: negativesPerAnchor } } : outcome;
    },
  };
}

/**
 * InfoNCE in its one-directional form (CPC, van den Oord et al. 2018): each view-1 query
 * classifies its view 2 among the batch's other 2B − 2 views (τ = 0.07 by default). NT-Xent is
 * the same cross-entropy averaged over all 2B anchors, so its view-2 anchors pull as well;
 * here only B anchors do, with gradient still flowing into both views as keys.
 */
export function infoNceStep(model: SimclrModel, optimizer: Optimizer, temperature: number, o: LogitStepOptions = {}): TrainStep {
  return logitStep('infonce', model, optimizer, (z1, z2, rule) => {
    const logits = viewLogits(z1, z2, { temperature, anchors: z1.shape[0], ...rule });
    return { logits, loss: softmaxCrossEntropy(logits) };
  }, o);
}

/**
 * NCE (binary real-vs-noise, as InstDisc trains it): every one of the 2B views classifies its
 * positive as real and the batch's other 2B − 2 views as K noise samples, on logits cos/τ.
 * The noise is uniform over those K views, so the log(K·Pn) correction is 0 and h(s) = σ(s).
 */
export function nceStep(model: SimclrModel, optimizer: Optimizer, temperature: number): TrainStep {
  return logitStep('nce', model, optimizer, (z1, z2) => {
    const logits = viewLogits(z1, z2, { temperature });
    return { logits, loss: binaryNce(logits) };
  });
}
