import sharp from 'sharp';
import { stepsPerEpochOf, TwoViewStage } from '../augment/stage.js';
import { viewPairsGrid } from '../augment/viewGrid.js';
import { selectBackend, type BackendInfo } from '../src/backend/select.js';
import { modelConfigOf, totalStepsOf, validatePretrainOptions, withResolvedDefaults, type PretrainOptions } from '../src/config/pretrainOptions.js';
import { formatSkipped, loadImageDataset, type ImageDataset } from '../src/data/dataset.js';
import { loadLabelledSplits, type LabelledSplits } from '../src/eval/labelledSplits.js';
import { onlineEvaluator } from '../src/eval/onlineEval.js';
import { labelsForPaths } from '../src/data/pathLabels.js';
import type { PairGraph } from '../src/data/pairGraph.js';
import { describePairs, loadPairs, type PairsReport } from '../src/data/pairsFile.js';
import { pairAwareOrder } from '../src/data/pairSampler.js';
import { recoverDir, writeJsonAtomic } from '../src/io/atomic.js';
import { JsonlWriter, truncateJsonlAfterStep } from '../src/io/jsonl.js';
import { dirSaveHandler } from '../src/io/modelStore.js';
import { EventWriter } from '../src/io/tensorboard/eventWriter.js';
import { truncateEventsAfterStep } from '../src/io/tensorboard/truncateEvents.js';
import { SimclrModel } from '../src/models/simclrModel.js';
import { createOptimizer } from '../src/optim/index.js';
import { scaledLearningRate, type Schedule } from '../src/optim/schedule.js';
import { versions } from '../src/config/versions.js';
import { checkpointStep, loadCheckpoint } from '../src/train/checkpoint.js';
import { MetricsLogger } from '../src/train/metricsLogger.js';
import { ProgressReporter } from '../src/train/progress.js';
import { initFrom } from '../src/run/initFrom.js';
import { readRunConfig, resumedOptions, type RunConfig } from '../src/run/runConfig.js';
import { checkRunDirectory, prepareRunDirectory, runPaths, type RunPaths } from '../src/run/runDirectory.js';
import { microBatchSize } from '../src/train/steps/gradientCache.js';
import { createTrainStep } from '../src/objectives/registry.js';
import { trainLoop, type TrainLoopOptions, type TrainLoopResult } from '../src/train/trainer.js';

export interface PretrainResult extends TrainLoopResult {
  out: string;
  backend: BackendInfo;
  totalSteps: number;
}

export interface PretrainHooks {
  log?: (line: string) => void;
  signal?: AbortSignal;
  onStep?: TrainLoopOptions['onStep'];
}

/**
 * `simclr pretrain`: folder of images → two-view stage → ResNet + head → objective, into a run
 * directory (config.json, metrics.jsonl, TensorBoard events, checkpoint/, encoder/) that this
 * process alone writes while it runs.
 */
export async function pretrain(requested: PretrainOptions, hooks: PretrainHooks = {}): Promise<PretrainResult> {
  const log = hooks.log ?? ((line: string) => console.error(line));
  // Everything that can be checked is checked before the run directory, data or backend is touched.
  validatePretrainOptions(requested);
  const runFiles = runPaths(requested.out);
  // A run killed between the two renames of a checkpoint swap has only checkpoint.old-*: restore it first.
  if (requested.resume) await recoverDir(runFiles.checkpoint);
  checkRunDirectory(requested.out, requested);
  const saved = requested.resume ? readRunConfig(runFiles.config) : undefined;
  const options = withResolvedDefaults(saved ? resumedOptions(saved, requested) : requested);
  validatePretrainOptions(options);

  const dataset = await loadImageDataset(options.data, { cacheSize: options.cacheSize, concurrency: options.concurrency, maxPixels: options.maxPixels });
  const labels = options.labels === undefined ? undefined : labelsForPaths(options.labels, dataset.paths);
  const pairs = options.pairs === undefined ? undefined : loadPairs(options.pairs, options.data, dataset.paths, options.pairsClosure);
  const stepsPerEpoch = stepsPerEpochOf(dataset.paths.length, options.batchSize);
  const totalSteps = totalStepsOf(options, stepsPerEpoch);
  if (saved) checkLength(options.out, checkpointStep(runFiles.checkpoint), totalSteps);
  const evalSplits = options.evalTrain && options.evalTest
    ? await loadLabelledSplits({ train: options.evalTrain, test: options.evalTest }, { size: options.imageSize, concurrency: options.concurrency }, (line) => log(`eval ${line}`))
    : undefined;
  const paths = prepareRunDirectory(options.out, options);
  try {
    const backend = await selectBackend(options.backend, { quiet: true, threads: options.threads });
    log(`backend: ${backend.active} (${backend.package} ${backend.version})${backend.note ? ` — ${backend.note}` : ''}`);
    log(`data: ${dataset.paths.length} images from ${options.data}`);
    if (dataset.skipped.length > 0) log(formatSkipped(dataset.skipped));
    if (labels) log(`labels: ${labels.classNames.length} classes from ${options.labels} (same class = positive)`);
    if (pairs) log(`pairs: ${describePairs(pairs.report)} from ${options.pairs}; ${pairs.graph.pairedImages()} of ${dataset.paths.length} images paired${options.pairsClosure ? ' (closed transitively)' : ''}`);
    const result = await train(options, { dataset, labels: labels?.labels, pairs: pairs?.graph, pairsReport: pairs?.report, evalSplits, paths, saved, backend, stepsPerEpoch, totalSteps }, hooks, log);
    return { ...result, out: options.out, backend, totalSteps };
  } finally {
    paths.lock.release();
  }
}

interface RunInputs {
  dataset: ImageDataset;
  labels?: Int32Array;
  pairs?: PairGraph;
  /** What the --pairs file held (recorded in config.json). */
  pairsReport?: PairsReport;
  evalSplits?: LabelledSplits;
  paths: RunPaths;
  /** config.json of the run being resumed. */
  saved?: RunConfig;
  backend: BackendInfo;
  stepsPerEpoch: number;
  totalSteps: number;
}

/** A resumed run may be made longer or shorter, but not shorter than what it has done. */
function checkLength(out: string, done: number, totalSteps: number): void {
  if (totalSteps < done) throw new Error(`--resume: ${out} has done ${done} steps, more than the ${totalSteps} asked for: a run can be made longer, not shorter than what it has done`);
}

async function train(options: ResolvedOptions, inputs: RunInputs, hooks: PretrainHooks, log: (line: string) => void): Promise<TrainLoopResult> {
  const { dataset, paths, saved, stepsPerEpoch, totalSteps } = inputs;
  const stage = new TwoViewStage({
    source: dataset.source,
    recipe: options.augment,
    imageSize: options.imageSize,
    colorStrength: options.colorStrength,
    batchSize: options.batchSize,
    seed: options.seed,
    workers: options.workers,
    concurrency: options.concurrency,
    protocol: options.protocol,
    epochOrder: inputs.pairs && pairAwareOrder(inputs.pairs, options.batchSize, options.seed),
  });
  const model = SimclrModel.build(modelConfigOf(options));
  const optimizer = createOptimizer(options.optimizer, options.weightDecay);
  const trainStep = createTrainStep(options, model, optimizer, { labels: inputs.labels, pairs: inputs.pairs, stepsPerEpoch });
  let logger: MetricsLogger | undefined;
  try {
    const schedule = {
      peakLr: scaledLearningRate(options.lr, options.batchSize, options.lrScaling),
      warmupSteps: Math.min(totalSteps, Math.round(options.warmupEpochs * stepsPerEpoch)),
      totalSteps,
    };
    let startStep = 0;
    if (saved) {
      startStep = (await loadCheckpoint(paths.checkpoint, model, optimizer, (tensors) => trainStep.restore?.(tensors))).step;
      if (totalSteps !== saved.schedule.totalSteps) {
        await writeJsonAtomic(paths.config, withLength(saved, options, schedule, startStep));
        log(`${options.out}: length ${saved.schedule.totalSteps} → ${totalSteps} steps from step ${startStep} (schedule recomputed for the new length)`);
      }
      // Steps after the checkpoint are trained again: drop their records so none is duplicated.
      await truncateJsonlAfterStep(paths.metrics, startStep);
      await truncateEventsAfterStep(options.out, startStep);
      logger = new MetricsLogger(new JsonlWriter(paths.metrics), new EventWriter(options.out));
      log(startStep >= totalSteps ? `${options.out} already finished (step ${startStep}/${totalSteps})` : `resuming ${options.out} at step ${startStep}/${totalSteps}`);
    } else {
      if (options.initFrom) log(`init: weights from ${await initFrom(options.initFrom, model)}`);
      await writeJsonAtomic(paths.config, {
        options,
        backend: inputs.backend,
        versions: versions(),
        dataset: { images: dataset.paths.length, skipped: dataset.skippedByReason, source: dataset.source.kind },
        ...(inputs.pairsReport ? { pairs: inputs.pairsReport } : {}),
        model: { featureDim: model.featureDim, parameters: model.parameterCounts() },
        batch: { images: options.batchSize, microBatch: microBatchSize(options.batchSize, options.microBatch, options.replicas), replicas: options.replicas },
        schedule: { ...schedule, stepsPerEpoch },
        createdAt: new Date().toISOString(),
      });
      logger = new MetricsLogger(new JsonlWriter(paths.metrics), new EventWriter(options.out));
      await writeViewSummary(stage, logger.events, options);
    }
    const evaluate = inputs.evalSplits && onlineEvaluator(inputs.evalSplits, { linear: options.evalLinear, seed: options.seed });
    const result = await trainLoop(model, optimizer, trainStep, stage, logger, new ProgressReporter('pretrain', startStep), {
      batchSize: options.batchSize,
      imageSize: options.imageSize,
      onNan: options.onNan,
      schedule,
      startStep,
      logEvery: options.logEvery,
      checkpointEvery: options.checkpointEvery,
      checkpointDir: paths.checkpoint,
      signal: hooks.signal,
      onStep: hooks.onStep,
      evaluate: evaluate && { every: options.evalEvery, run: () => evaluate(model.encoder) },
    });
    if (result.finalStep >= totalSteps) await model.encoder.save(dirSaveHandler(paths.encoder));
    return result;
  } finally {
    await logger?.close();
    await stage.close();
    trainStep.dispose?.();
    optimizer.dispose();
    model.dispose();
  }
}

type ResolvedOptions = ReturnType<typeof withResolvedDefaults>;

/** config.json with the run's new length: options, schedule, and the change recorded. */
function withLength(saved: RunConfig, options: ResolvedOptions, schedule: Schedule, atStep: number): RunConfig {
  const change = { atStep, fromSteps: saved.schedule.totalSteps, toSteps: schedule.totalSteps, at: new Date().toISOString() };
  return {
    ...saved,
    options: { ...saved.options, steps: options.steps, epochs: options.epochs },
    schedule: { ...saved.schedule, ...schedule },
    extensions: [...(saved.extensions ?? []), change],
  };
}

/** A grid of the first view pairs, so a user sees in TensorBoard what the augmentations do. */
async function writeViewSummary(stage: TwoViewStage, events: EventWriter, o: PretrainOptions): Promise<void> {
  const views = await stage.batch(0);
  const grid = viewPairsGrid(views, o.batchSize, o.imageSize, Math.min(8, o.batchSize));
  const png = await sharp(grid.rgb, { raw: { width: grid.width, height: grid.height, channels: 3 } }).png().toBuffer();
  events.image('data/view_pairs', png, 0);
  await events.flush();
}
