import sharp from 'sharp';
import { TwoViewStage } from '../augment/stage.js';
import { viewPairsGrid } from '../augment/viewGrid.js';
import { selectBackend, type BackendInfo } from '../src/backend/select.js';
import { modelConfigOf, validatePretrainOptions, withResolvedDefaults, type PretrainOptions } from '../src/config/pretrainOptions.js';
import { formatSkipped, loadImageDataset } from '../src/data/dataset.js';
import { labelsForPaths } from '../src/data/pathLabels.js';
import { recoverDir, writeJsonAtomic } from '../src/io/atomic.js';
import { JsonlWriter, truncateJsonlAfterStep } from '../src/io/jsonl.js';
import { dirSaveHandler } from '../src/io/modelStore.js';
import { EventWriter } from '../src/io/tensorboard/eventWriter.js';
import { truncateEventsAfterStep } from '../src/io/tensorboard/truncateEvents.js';
import { SimclrModel } from '../src/models/simclrModel.js';
import { createOptimizer } from '../src/optim/index.js';
import { scaledLearningRate } from '../src/optim/schedule.js';
import { versions } from '../src/config/versions.js';
import { loadCheckpoint } from '../src/train/checkpoint.js';
import { MetricsLogger } from '../src/train/metricsLogger.js';
import { ProgressReporter } from '../src/train/progress.js';
import { checkRunDirectory, prepareRunDirectory, resumedOptions, runPaths } from '../src/run/runDirectory.js';
import { microBatchSize } from '../src/train/steps/gradientCache.js';
import { createTrainStep } from '../src/train/steps/index.js';
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
 * directory (config.json, metrics.jsonl, TensorBoard events, checkpoint/, encoder/).
 */
export async function pretrain(requested: PretrainOptions, hooks: PretrainHooks = {}): Promise<PretrainResult> {
  const log = hooks.log ?? ((line: string) => console.error(line));
  // Everything that can be checked is checked before the run directory, data or backend is touched.
  validatePretrainOptions(requested);
  // A run killed between the two renames of a checkpoint swap has only checkpoint.old-*: restore it first.
  if (requested.resume) await recoverDir(runPaths(requested.out).checkpoint);
  checkRunDirectory(requested.out, requested);
  const options = withResolvedDefaults(requested.resume ? resumedOptions('pretrain', runPaths(requested.out).config, requested) : requested);
  validatePretrainOptions(options);

  const { cacheSize } = options;
  const dataset = await loadImageDataset(options.data, { cacheSize, concurrency: options.concurrency, maxPixels: options.maxPixels });
  const labels = options.labels === undefined ? undefined : labelsForPaths(options.labels, dataset.paths);
  const paths = prepareRunDirectory(options.out, options);

  const backend = await selectBackend(options.backend, { quiet: true });
  log(`backend: ${backend.active} (${backend.package} ${backend.version})${backend.note ? ` — ${backend.note}` : ''}`);
  log(`data: ${dataset.paths.length} images from ${options.data}`);
  if (dataset.skipped.length > 0) log(formatSkipped(dataset.skipped));
  if (labels) log(`labels: ${labels.classNames.length} classes from ${options.labels} (same class = positive)`);

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
  });
  const model = SimclrModel.build(modelConfigOf(options));
  const optimizer = createOptimizer(options.optimizer, options.weightDecay);
  const trainStep = createTrainStep(options, model, optimizer, labels?.labels);
  const totalSteps = options.steps ?? Math.max(1, Math.round(options.epochs * stage.stepsPerEpoch));
  const schedule = {
    peakLr: scaledLearningRate(options.lr, options.batchSize, options.lrScaling),
    warmupSteps: Math.min(totalSteps, Math.round(options.warmupEpochs * stage.stepsPerEpoch)),
    totalSteps,
  };

  let startStep = 0;
  if (options.resume) {
    startStep = (await loadCheckpoint(paths.checkpoint, model, optimizer, (tensors) => trainStep.restore?.(tensors))).step;
    // Steps after the checkpoint are trained again: drop their records so none is duplicated.
    await truncateJsonlAfterStep(paths.metrics, startStep);
    await truncateEventsAfterStep(options.out, startStep);
    log(startStep >= totalSteps ? `${options.out} already finished (step ${startStep}/${totalSteps})` : `resuming ${options.out} at step ${startStep}/${totalSteps}`);
  } else {
    await writeJsonAtomic(paths.config, {
      options,
      backend,
      versions: versions(),
      dataset: { images: dataset.paths.length, skipped: dataset.skippedByReason, source: dataset.source.kind },
      model: { featureDim: model.featureDim, parameters: model.parameterCounts() },
      batch: { images: options.batchSize, microBatch: microBatchSize(options.batchSize, options.microBatch, options.replicas), replicas: options.replicas },
      schedule: { ...schedule, stepsPerEpoch: stage.stepsPerEpoch },
      createdAt: new Date().toISOString(),
    });
  }

  const events = new EventWriter(options.out);
  const logger = new MetricsLogger(new JsonlWriter(paths.metrics), events);
  const progress = new ProgressReporter('pretrain', startStep);
  let result: TrainLoopResult;
  try {
    if (startStep === 0) await writeViewSummary(stage, events, options);
    result = await trainLoop(model, optimizer, trainStep, stage, logger, progress, {
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
    });
    if (result.finalStep >= totalSteps) await model.encoder.save(dirSaveHandler(paths.encoder));
  } finally {
    await logger.close();
    await stage.close();
    trainStep.dispose?.();
    optimizer.dispose();
    model.dispose();
  }
  return { ...result, out: options.out, backend, totalSteps };
}

/** A grid of the first view pairs, so a user sees in TensorBoard what the augmentations do. */
async function writeViewSummary(stage: TwoViewStage, events: EventWriter, o: PretrainOptions): Promise<void> {
  const views = await stage.batch(0);
  const grid = viewPairsGrid(views, o.batchSize, o.imageSize, Math.min(8, o.batchSize));
  const png = await sharp(grid.rgb, { raw: { width: grid.width, height: grid.height, channels: 3 } }).png().toBuffer();
  events.image('data/view_pairs', png, grid.width, grid.height, 0);
  await events.flush();
}
