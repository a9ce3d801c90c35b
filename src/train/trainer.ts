import * as tf from '@tensorflow/tfjs';
import type { TrainableModel } from '../models/trainableModel.js';
import type { Optimizer } from '../optim/optimizer.js';
import { learningRateAt, type Schedule } from '../optim/schedule.js';
import { saveCheckpoint } from './checkpoint.js';
import type { MetricsLogger, MetricsRecord } from './metricsLogger.js';
import type { ProgressReporter } from './progress.js';
import type { StepOutcome, TrainStep } from './steps/trainStep.js';

/** Makes the 2B views of a step, [S,S,3] each, deterministic in (seed, step). */
export interface ViewBatcher {
  readonly stepsPerEpoch: number;
  batch(step: number): Promise<Float32Array>;
  /** Dataset index of each image of the step, in batch order. */
  imagesForStep(step: number): readonly number[];
}

/** What a non-finite loss or gradient does: stop the run, or skip that step and count it. */
export const ON_NAN_POLICIES = ['stop', 'skip'] as const;
export type OnNanPolicy = (typeof ON_NAN_POLICIES)[number];

export interface TrainLoopOptions {
  batchSize: number;
  imageSize: number;
  schedule: Schedule;
  /** A non-finite loss or gradient: stop the run (default) or skip that step and count it. */
  onNan: OnNanPolicy;
  startStep: number;
  /** Stop after this step (default: the schedule's last): fine-tuning runs one epoch per call and evaluates in between. */
  until?: number;
  logEvery: number;
  checkpointEvery: number;
  checkpointDir: string;
  /** Stops the loop after the current step, with a checkpoint (the CLI aborts it on SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Scores the model every `every` steps and at the end; its figures join that step's metrics record. */
  evaluate?: { every: number; run: () => Record<string, number> };
  /** Called after every step (tests, the ablation runner's progress). */
  onStep?: (step: number, outcome: StepOutcome) => void;
}

export interface TrainLoopResult {
  finalStep: number;
  lastLoss: number;
  skippedSteps: number;
  /** Set when `signal` stopped the run before its last step (a checkpoint was written). */
  stopped?: 'signal';
}

/** A non-finite loss or gradient: the run stops, the last good checkpoint stays. */
export class NonFiniteLossError extends Error {
  constructor(readonly step: number, result: StepOutcome) {
    super(
      `step ${step}: ${Number.isFinite(result.loss) ? 'gradient' : 'loss'} is not finite ` +
        `(loss ${result.loss}, gradient norm ${result.gradNorm}); stopped without applying it, the last checkpoint is intact. ` +
        'Try a lower --lr, or --on-nan skip to skip such steps.',
    );
    this.name = 'NonFiniteLossError';
  }
}

/**
 * The pretraining loop: while step t trains, the batcher already makes step t+1's views,
 * so the time spent awaiting a batch is the data stall. Logs every `logEvery` steps,
 * checkpoints every `checkpointEvery` steps and at the end (or `until`); an aborted `signal` checkpoints and stops.
 */
export async function trainLoop(
  model: TrainableModel,
  optimizer: Optimizer,
  trainStep: TrainStep,
  batcher: ViewBatcher,
  logger: MetricsLogger,
  progress: ProgressReporter,
  o: TrainLoopOptions,
): Promise<TrainLoopResult> {
  const { batchSize: B, imageSize: S, schedule } = o;
  const total = schedule.totalSteps;
  const end = Math.min(total, o.until ?? total);
  let stopRequested = false;
  const onAbort = () => {
    stopRequested = true;
    progress.message('stop requested: finishing this step and writing a checkpoint…');
  };
  o.signal?.addEventListener('abort', onAbort);
  if (o.signal?.aborted) stopRequested = true;

  const window = new StepWindow();
  let lastLoss = NaN;
  let skippedSteps = 0;
  let step = o.startStep;
  let lastSaved = o.startStep;
  try {
    while (step < end && !stopRequested) {
      const t0 = performance.now();
      const views = await batcher.batch(step);
      const t1 = performance.now();
      const lr = learningRateAt(step, schedule);
      const x = tf.tensor4d(views, [2 * B, S, S, 3]);
      // The forward pass moves the BN statistics even when finishStep then refuses the update.
      const statsBefore = copyNonTrainable(model);
      const result = await trainStep.run(x, lr, { step, imageIndices: batcher.imagesForStep(step) });
      x.dispose();
      if (!result.finite) for (const [v, saved] of statsBefore) v.assign(saved);
      tf.dispose([...statsBefore.values()]);
      if (!result.finite) {
        if (o.onNan === 'stop') throw new NonFiniteLossError(step + 1, result);
        skippedSteps += 1;
        progress.message(`step ${step + 1}: non-finite loss or gradient, step skipped (${skippedSteps} so far)`);
      } else {
        lastLoss = result.loss;
        window.add(result);
      }
      step += 1;
      window.time(t1 - t0, performance.now() - t0);
      o.onStep?.(step, result);
      const imagesPerSec = window.imagesPerSec(B);
      progress.update({ step, totalSteps: total, imagesPerSec, loss: result.loss });

      const evaluation = o.evaluate && (step % o.evaluate.every === 0 || step === total) ? o.evaluate.run() : undefined;
      if (step % o.logEvery === 0 || step === end || evaluation) {
        const record: MetricsRecord = {
          step,
          epoch: step / batcher.stepsPerEpoch,
          lr,
          ...window.means(),
          imagesPerSec,
          dataStall: window.stallFraction(),
          ...(o.onNan === 'skip' ? { skippedSteps } : {}),
          ...evaluation,
        };
        await logger.log(record);
        const scores = evaluation ? Object.entries(evaluation).filter(([k]) => k.endsWith('top1')).map(([k, v]) => `, ${k.slice(k.indexOf('/') + 1)} ${(100 * v).toFixed(1)}%`) : [];
        progress.log({ step, totalSteps: total, imagesPerSec, loss: record.loss, extra: `stall ${(100 * record.dataStall).toFixed(1)}%${scores.join('')}` });
        window.reset();
      }
      if (step % o.checkpointEvery === 0 && step < end) {
        await saveCheckpoint(o.checkpointDir, model, optimizer, step, trainStep.state?.());
        lastSaved = step;
      }
    }
    if (step > lastSaved) await saveCheckpoint(o.checkpointDir, model, optimizer, step, trainStep.state?.());
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    progress.done();
  }
  const stopped = stopRequested && step < end ? { stopped: 'signal' as const } : {};
  return { finalStep: step, lastLoss, skippedSteps, ...stopped };
}

/** Copies of the weights a step changes besides the update (BN moving mean and variance). */
function copyNonTrainable(model: TrainableModel): Map<tf.Variable, tf.Tensor> {
  const trainable = new Set(Object.values(model.namedWeights(true)));
  const frozen = Object.values(model.namedWeights()).filter((v) => !trainable.has(v));
  return new Map(frozen.map((v) => [v, tf.clone(v)]));
}

/** Running sums over the steps since the last log line. */
class StepWindow {
  private n = 0;
  private sums: Record<string, number> = {};
  private steps = 0;
  private waitMs = 0;
  private totalMs = 0;

  add(r: StepOutcome): void {
    this.n += 1;
    for (const [key, value] of Object.entries({ loss: r.loss, gradNorm: r.gradNorm, ...r.stats })) {
      this.sums[key] = (this.sums[key] ?? 0) + value;
    }
  }

  time(waitMs: number, totalMs: number): void {
    this.steps += 1;
    this.waitMs += waitMs;
    this.totalMs += totalMs;
  }

  means(): { loss: number; gradNorm: number; [stat: string]: number } {
    const n = Math.max(1, this.n);
    const out = { loss: NaN, gradNorm: NaN } as { loss: number; gradNorm: number; [stat: string]: number };
    for (const [key, sum] of Object.entries(this.sums)) out[key] = sum / n;
    return out;
  }

  imagesPerSec(batchSize: number): number {
    return this.totalMs > 0 ? (1000 * this.steps * batchSize) / this.totalMs : 0;
  }

  stallFraction(): number {
    return this.totalMs > 0 ? this.waitMs / this.totalMs : 0;
  }

  reset(): void {
    this.n = 0;
    this.sums = {};
    this.steps = 0;
    this.waitMs = 0;
    this.totalMs = 0;
  }
}
