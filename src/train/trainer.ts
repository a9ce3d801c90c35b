import * as tf from '@tensorflow/tfjs';
import type { SimclrModel } from '../models/simclrModel.js';
import type { Optimizer } from '../optim/optimizer.js';
import { learningRateAt, type Schedule } from '../optim/schedule.js';
import { saveCheckpoint } from './checkpoint.js';
import { contrastiveStep, type StepResult } from './contrastiveStep.js';
import type { MetricsLogger, MetricsRecord } from './metricsLogger.js';
import type { ProgressReporter } from './progress.js';

/** Makes the 2B views of a step, [S,S,3] each, deterministic in (seed, step). */
export interface ViewBatcher {
  readonly stepsPerEpoch: number;
  batch(step: number): Promise<Float32Array>;
}

export interface TrainLoopOptions {
  batchSize: number;
  imageSize: number;
  temperature: number;
  schedule: Schedule;
  startStep: number;
  logEvery: number;
  checkpointEvery: number;
  checkpointDir: string;
}

export interface TrainLoopResult {
  finalStep: number;
  lastLoss: number;
  stopped?: 'signal';
}

/** A non-finite loss or gradient: the run stops, the last good checkpoint stays. */
export class NonFiniteLossError extends Error {
  constructor(readonly step: number, result: StepResult) {
    super(
      `step ${step}: ${Number.isFinite(result.loss) ? 'gradient' : 'loss'} is not finite ` +
        `(loss ${result.loss}, gradient norm ${result.gradNorm}); stopped without applying it, the last checkpoint is intact. ` +
        'Try a lower --lr or --temperature closer to 0.5.',
    );
    this.name = 'NonFiniteLossError';
  }
}

/**
 * The pretraining loop: while step t trains, the batcher already makes step t+1's views,
 * so the time spent awaiting a batch is the data stall. Logs every `logEvery` steps,
 * checkpoints every `checkpointEvery` steps and at the end; SIGINT/SIGTERM checkpoint and stop.
 */
export async function trainLoop(
  model: SimclrModel,
  optimizer: Optimizer,
  batcher: ViewBatcher,
  logger: MetricsLogger,
  progress: ProgressReporter,
  o: TrainLoopOptions,
): Promise<TrainLoopResult> {
  const { batchSize: B, imageSize: S, schedule } = o;
  const total = schedule.totalSteps;
  let stopRequested = false;
  const onSignal = () => {
    stopRequested = true;
    progress.message('stop requested: finishing this step and writing a checkpoint…');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const window = new StepWindow();
  let lastLoss = NaN;
  let step = o.startStep;
  let lastSaved = o.startStep;
  try {
    while (step < total && !stopRequested) {
      const t0 = performance.now();
      const views = await batcher.batch(step);
      const t1 = performance.now();
      const lr = learningRateAt(step, schedule);
      const x = tf.tensor4d(views, [2 * B, S, S, 3]);
      const result = await contrastiveStep(model, optimizer, x, o.temperature, lr);
      x.dispose();
      if (!result.finite) throw new NonFiniteLossError(step + 1, result);
      step += 1;
      lastLoss = result.loss;
      window.add(result, t1 - t0, performance.now() - t0);
      const imagesPerSec = window.imagesPerSec(B);
      progress.update({ step, totalSteps: total, imagesPerSec, loss: result.loss });

      if (step % o.logEvery === 0 || step === total) {
        const record: MetricsRecord = {
          step,
          epoch: step / batcher.stepsPerEpoch,
          lr,
          ...window.means(),
          imagesPerSec,
          dataStall: window.stallFraction(),
        };
        await logger.log(record);
        progress.log({ step, totalSteps: total, imagesPerSec, loss: record.loss, extra: `stall ${(100 * record.dataStall).toFixed(1)}%` });
        window.reset();
      }
      if (step % o.checkpointEvery === 0 && step < total) {
        await saveCheckpoint(o.checkpointDir, model, optimizer, step);
        lastSaved = step;
      }
    }
    if (step > lastSaved) await saveCheckpoint(o.checkpointDir, model, optimizer, step);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.done();
  }
  return { finalStep: step, lastLoss, ...(stopRequested && step < total ? { stopped: 'signal' as const } : {}) };
}

/** Running sums over the steps since the last log line. */
class StepWindow {
  private n = 0;
  private sums = { loss: 0, top1: 0, positiveCosine: 0, negativeCosine: 0, gradNorm: 0 };
  private waitMs = 0;
  private totalMs = 0;

  add(r: StepResult, waitMs: number, totalMs: number): void {
    this.n += 1;
    for (const key of Object.keys(this.sums) as (keyof typeof this.sums)[]) this.sums[key] += r[key];
    this.waitMs += waitMs;
    this.totalMs += totalMs;
  }

  means() {
    const n = Math.max(1, this.n);
    return {
      loss: this.sums.loss / n,
      top1: this.sums.top1 / n,
      positiveCosine: this.sums.positiveCosine / n,
      negativeCosine: this.sums.negativeCosine / n,
      gradNorm: this.sums.gradNorm / n,
    };
  }

  imagesPerSec(batchSize: number): number {
    return this.totalMs > 0 ? (1000 * this.n * batchSize) / this.totalMs : 0;
  }

  stallFraction(): number {
    return this.totalMs > 0 ? this.waitMs / this.totalMs : 0;
  }

  reset(): void {
    this.n = 0;
    for (const key of Object.keys(this.sums) as (keyof typeof this.sums)[]) this.sums[key] = 0;
    this.waitMs = 0;
    this.totalMs = 0;
  }
}
