import { CONTRASTIVE_MARGIN, CONTRASTIVE_STATS } from '../losses/contrastive.js';
import { CONTRASTIVE_LOGIT_STATS } from '../losses/contrastiveStats.js';
import type { DistanceMetric } from '../losses/distances.js';
import { INFO_NCE_TEMPERATURE } from '../losses/infoNce.js';
import { NT_XENT_TEMPERATURE } from '../losses/ntXent.js';
import { SUPCON_TEMPERATURE } from '../losses/supCon.js';
import { TRIPLET_MARGIN, TRIPLET_STATS } from '../losses/triplet.js';
import type { TripletMining } from '../losses/tripletMining.js';
import type { SimclrModel } from '../models/simclrModel.js';
import type { Optimizer } from '../optim/optimizer.js';
import { startReplicaPool } from '../train/parallel/replicaPool.js';
import { microBatchSize } from '../train/steps/gradientCache.js';
import { infoNceStep, nceStep, type NegativeSchedule } from '../train/steps/logitSteps.js';
import { mocoStep } from '../train/steps/mocoStep.js';
import { ntXentStep } from '../train/steps/ntXentStep.js';
import { supConStep } from '../train/steps/supConStep.js';
import { contrastiveStep, rankingStep, tripletStep } from '../train/steps/pairLossStep.js';
import { pairedShare } from '../data/pairSampler.js';
import type { PairGraph } from '../data/pairGraph.js';
import { RANKING_MARGIN, RANKING_STATS } from '../losses/ranking.js';
import type { TrainStep } from '../train/steps/trainStep.js';

/** Run options that only some objectives take (the PretrainOptions keys). */
export type ObjectiveOption = 'temperature' | 'margin' | 'labels' | 'pairs' | 'negatives' | 'queueSize' | 'mocoMomentum' | 'mining' | 'distance' | 'microBatch' | 'replicas';

/** What building a step reads of a run's options: a narrow view of them (PretrainOptions fits it). */
export interface StepOptions {
  batchSize: number;
  microBatch?: number;
  replicas: number;
  queueSize: number;
  mocoMomentum: number;
  mining: TripletMining;
  distance: DistanceMetric;
  /** --negatives K (unset: every negative of the batch) from epoch --negatives-after on; the draws are keyed by --seed. */
  negatives?: number;
  negativesAfter?: number;
  seed?: number;
}

export interface StepParts {
  model: SimclrModel;
  optimizer: Optimizer;
  /** Class of every dataset image (--labels), for objectives that take labels. */
  labels?: Int32Array;
  /** The pair relation over dataset images (--pairs), for objectives that take pairs. */
  pairs?: PairGraph;
  /** Steps per epoch, where --negatives-after counts epochs. */
  stepsPerEpoch?: number;
}

interface ObjectiveBase {
  /** One line: what it is (help text, tables). */
  readonly summary: string;
  /** The options beyond the defaulted ones that mean something with it. */
  readonly takes: readonly ObjectiveOption[];
  /** The statistics its step logs next to the loss (metrics.jsonl, TensorBoard train/…), in order. */
  readonly stats: readonly string[];
}

/** A softmax or logistic loss on the contrastive logits cos/τ. */
export interface LogitObjective extends ObjectiveBase {
  readonly kind: 'logits';
  /** The paper's τ, used when --temperature is not given. */
  readonly temperature: number;
  createStep(o: StepOptions & { temperature: number }, parts: StepParts): TrainStep;
}

/** A margin loss on distances between normalised embeddings. */
export interface MarginObjective extends ObjectiveBase {
  readonly kind: 'margin';
  /** The paper's margin, used when --margin is not given. */
  readonly margin: number;
  createStep(o: StepOptions & { margin: number }, parts: StepParts): TrainStep;
}

export type Objective = LogitObjective | MarginObjective;

/**
 * Every objective --loss selects, in the order --help lists them. Adding one: an entry here plus
 * its loss (src/losses/) and step (src/train/steps/).
 */
export const OBJECTIVES = {
  ntxent: {
    kind: 'logits',
    summary: "SimCLR's NT-Xent, every view an anchor against the other 2B − 1",
    temperature: NT_XENT_TEMPERATURE,
    takes: ['temperature', 'microBatch', 'replicas', 'pairs', 'negatives'],
    stats: CONTRASTIVE_LOGIT_STATS,
    createStep: (o, { model, optimizer, pairs, stepsPerEpoch }) =>
      // With replicas the batch is always micro-batched: one share of micro-batches per replica.
      ntXentStep(model, optimizer, o.temperature, {
        microBatch: o.replicas > 1 ? microBatchSize(o.batchSize, o.microBatch, o.replicas) : o.microBatch,
        pool: startReplicaPool(o.replicas, model.config),
        positives: { pairs },
        negatives: negativeSchedule(o, stepsPerEpoch),
      }),
  },
  infonce: {
    kind: 'logits',
    summary: 'InfoNCE (CPC), one-directional: each view 1 classifies its view 2 among the batch',
    temperature: INFO_NCE_TEMPERATURE,
    takes: ['temperature', 'pairs', 'negatives'],
    stats: CONTRASTIVE_LOGIT_STATS,
    createStep: (o, { model, optimizer, pairs, stepsPerEpoch }) =>
      infoNceStep(model, optimizer, o.temperature, { positives: { pairs }, negatives: negativeSchedule(o, stepsPerEpoch) }),
  },
  moco: {
    kind: 'logits',
    summary: 'MoCo: queries against their momentum-encoded key and a queue of earlier keys',
    temperature: INFO_NCE_TEMPERATURE,
    takes: ['temperature', 'queueSize', 'mocoMomentum', 'negatives'],
    stats: CONTRASTIVE_LOGIT_STATS,
    createStep: (o, { model, optimizer, stepsPerEpoch }) =>
      mocoStep(model, optimizer, { temperature: o.temperature, queueSize: o.queueSize, momentum: o.mocoMomentum, negatives: negativeSchedule(o, stepsPerEpoch) }),
  },
  triplet: {
    kind: 'margin',
    summary: 'FaceNet triplet loss with online mining in the batch',
    margin: TRIPLET_MARGIN,
    takes: ['margin', 'labels', 'pairs', 'mining', 'distance'],
    stats: TRIPLET_STATS,
    createStep: (o, { model, optimizer, labels, pairs }) => tripletStep(model, optimizer, { margin: o.margin, mining: o.mining, distance: o.distance, labels, pairs }),
  },
  ranking: {
    kind: 'margin',
    summary: 'pairwise margin ranking on cosine scores, max(0, m − (s(a,p) − s(a,n))), with --mining',
    margin: RANKING_MARGIN,
    takes: ['margin', 'labels', 'pairs', 'mining'],
    stats: RANKING_STATS,
    createStep: (o, { model, optimizer, labels, pairs }) => rankingStep(model, optimizer, { margin: o.margin, mining: o.mining, labels, pairs }),
  },
  contrastive: {
    kind: 'margin',
    summary: 'Hadsell–Chopra–LeCun contrastive loss over every pair of views',
    margin: CONTRASTIVE_MARGIN,
    takes: ['margin', 'labels', 'pairs'],
    stats: CONTRASTIVE_STATS,
    createStep: (o, { model, optimizer, labels, pairs }) => contrastiveStep(model, optimizer, { margin: o.margin, labels, pairs }),
  },
  nce: {
    kind: 'logits',
    summary: 'NCE (InstDisc), binary: each view tells its positive from the batch as noise',
    temperature: INFO_NCE_TEMPERATURE,
    takes: ['temperature'],
    stats: CONTRASTIVE_LOGIT_STATS,
    createStep: (o, { model, optimizer }) => nceStep(model, optimizer, o.temperature),
  },
  supcon: {
    kind: 'logits',
    summary: 'supervised NT-Xent (SupCon, Khosla et al. 2020): every view of a same-class image (--labels) is a positive',
    temperature: SUPCON_TEMPERATURE,
    takes: ['temperature', 'labels'],
    stats: CONTRASTIVE_LOGIT_STATS,
    createStep: (o, { model, optimizer, labels }) => supConStep(model, optimizer, o.temperature, labels),
  },
} as const satisfies Record<string, Objective>;

export type LossName = keyof typeof OBJECTIVES;

/** --negatives K as a step schedule: from step --negatives-after × steps per epoch on; undefined without --negatives. */
function negativeSchedule(o: StepOptions, stepsPerEpoch = 1): NegativeSchedule | undefined {
  if (o.negatives === undefined) return undefined;
  return { count: o.negatives, seed: o.seed ?? 0, fromStep: Math.ceil((o.negativesAfter ?? 0) * stepsPerEpoch) };
}

/** The --loss choices. */
export const LOSS_NAMES = Object.keys(OBJECTIVES) as readonly LossName[];

export function isLossName(name: unknown): name is LossName {
  return typeof name === 'string' && Object.hasOwn(OBJECTIVES, name);
}

export function objectiveOf(loss: LossName): Objective {
  return OBJECTIVES[loss];
}

/**
 * The training step of the objective named by --loss, with its paper default for an unset τ or
 * margin. `labels` (the class of every dataset image, from --labels) makes the objectives that
 * take labels supervised.
 */
export function createTrainStep<O extends StepOptions & { loss: LossName; temperature?: number; margin?: number }>(
  options: O,
  model: SimclrModel,
  optimizer: Optimizer,
  positives: { labels?: Int32Array; pairs?: PairGraph; stepsPerEpoch?: number } = {},
): TrainStep {
  const objective = objectiveOf(options.loss);
  const parts = { model, optimizer, ...positives };
  const step = objective.kind === 'logits'
    ? objective.createStep({ ...options, temperature: options.temperature ?? objective.temperature }, parts)
    : objective.createStep({ ...options, margin: options.margin ?? objective.margin }, parts);
  return positives.pairs ? withPairedShare(step, positives.pairs) : step;
}

/** The step, logging `pairedAnchors`: the share of its images with a partner in the batch (what the sampler achieved). */
function withPairedShare(step: TrainStep, graph: PairGraph): TrainStep {
  return {
    ...step,
    name: step.name,
    async run(views, lr, context) {
      const outcome = await step.run(views, lr, context);
      return context ? { ...outcome, stats: { ...outcome.stats, pairedAnchors: pairedShare(graph, context.imageIndices) } } : outcome;
    },
  };
}
