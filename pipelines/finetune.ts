import fs from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { TwoViewStage } from '../augment/stage.js';
import { selectBackend, type BackendInfo } from '../src/backend/select.js';
import { checkOption, optionNames, type OptionsOf } from '../src/config/options.js';
import { modelConfigOf } from '../src/config/pretrainOptions.js';
import { versions } from '../src/config/versions.js';
import type { LabelledDataset } from '../src/data/imageFolder.js';
import { loadLabelledSplits } from '../src/eval/labelledSplits.js';
import { describeSubset, labelSubset, labelSubsetsOf, type LabelSubset } from '../src/data/labelSubset.js';
import { classifierReport, confusionCsv, type ClassifierReport } from '../src/eval/classifierReport.js';
import { recoverDir, replaceDirAtomic, writeFileAtomic, writeJsonAtomic } from '../src/io/atomic.js';
import { JsonlWriter, readJsonl, truncateJsonlAfterStep } from '../src/io/jsonl.js';
import { dirSaveHandler } from '../src/io/modelStore.js';
import { EventWriter } from '../src/io/tensorboard/eventWriter.js';
import { truncateEventsAfterStep } from '../src/io/tensorboard/truncateEvents.js';
import { fromLayersModel } from '../src/models/featureExtractor.js';
import { FineTuneModel } from '../src/models/fineTuneModel.js';
import { PREPROCESSING } from '../src/models/preprocess.js';
import { SimclrModel } from '../src/models/simclrModel.js';
import { createOptimizer } from '../src/optim/index.js';
import { scaledLearningRate } from '../src/optim/schedule.js';
import { loadEncoder, loadRunModel } from '../src/run/loadEncoder.js';
import { readRunConfig, resumedRunOptions } from '../src/run/runConfig.js';
import { checkRunDirectory, prepareRunDirectory, runPaths } from '../src/run/runDirectory.js';
import { loadCheckpoint } from '../src/train/checkpoint.js';
import { MetricsLogger } from '../src/train/metricsLogger.js';
import { ProgressReporter } from '../src/train/progress.js';
import { crossEntropyStep } from '../src/train/steps/crossEntropyStep.js';
import { trainLoop } from '../src/train/trainer.js';

export type FineTuneOptions = OptionsOf<'finetune'> & { out: string };

/** SimCLR's fine-tuning augmentation: random resized crop and horizontal flip, nothing else. */
export const FINETUNE_RECIPE = 'crop+flip';

export interface FineTuneResult {
  out: string;
  backend: BackendInfo;
  step: number;
  totalSteps: number;
  /** Set when a signal stopped the run before its last step (a checkpoint was written). */
  stopped?: 'signal';
  /** The test scores of the finished model (absent when stopped). */
  test?: ClassifierReport;
  classNames: string[];
  trainImages: number;
}

export interface FineTuneHooks {
  log?: (line: string) => void;
  signal?: AbortSignal;
}

/** Run-directory files of a fine-tuning run besides pretrain's (config, metrics, events, checkpoint). */
export function fineTunePaths(out: string) {
  return {
    ...runPaths(out),
    model: path.join(out, 'model'),
    results: path.join(out, 'results.json'),
    confusion: path.join(out, 'confusion.csv'),
    subset: path.join(out, 'train-subset.txt'),
  };
}

/**
 * `simclr finetune`: a pretrained encoder (or a random one) + a linear classifier, trained end
 * to end with cross-entropy on a labelled folder (or a stratified subset of it) with crop + flip
 * views; test top-1 after every epoch; the classifier exported as one TF.js layers model.
 */
export async function finetune(requested: FineTuneOptions, hooks: FineTuneHooks = {}): Promise<FineTuneResult> {
  const log = hooks.log ?? ((line: string) => console.error(line));
  validateFineTuneOptions(requested);
  if (requested.resume) await recoverDir(runPaths(requested.out).checkpoint);
  checkRunDirectory(requested.out, requested);
  const options = requested.resume ? resumedRunOptions('finetune', readRunConfig(runPaths(requested.out).config), requested) : requested;
  validateFineTuneOptions(options);
  const subset = labelSubsetsOf(options)[0];

  const backend = await selectBackend(options.backend, { quiet: true });
  log(`backend: ${backend.active} (${backend.package} ${backend.version})`);
  const { encoder, head, label } = await loadFineTuneEncoder(options);
  let model: FineTuneModel | undefined;
  try {
    const size = encoder.inputs[0].shape[1] as number;
    const { train, test } = await loadLabelledSplits(options, { size, concurrency: options.concurrency }, log);
    model = FineTuneModel.build(encoder, { numClasses: train.classNames.length, head, fromHeadLayer: options.fromHeadLayer });
    return await trainFineTune(options, requested.resume, { model, train, test, subset, size, label, backend, log, signal: hooks.signal });
  } finally {
    if (model) model.dispose();
    else {
      encoder.dispose();
      head?.dispose();
    }
  }
}

interface Prepared {
  model: FineTuneModel;
  train: LabelledDataset;
  test: LabelledDataset;
  subset: LabelSubset | undefined;
  size: number;
  label: string;
  backend: BackendInfo;
  log: (line: string) => void;
  signal?: AbortSignal;
}

async function trainFineTune(options: FineTuneOptions, resume: boolean, p: Prepared): Promise<FineTuneResult> {
  const { model, train, test, size, log } = p;
  const classNames = train.classNames;
  const rows = p.subset ? labelSubset(train.labels, classNames.length, p.subset, options.seed) : Int32Array.from(train.labels.keys());
  const labels = Int32Array.from(rows, (i) => train.labels[i]);
  log(`training on ${rows.length} labelled images${p.subset ? ` (${describeSubset(p.subset)}, stratified, seed ${options.seed})` : ''}; testing on ${test.labels.length}`);
  const batchSize = Math.min(options.batchSize, rows.length);
  if (batchSize < options.batchSize) log(`batch size ${batchSize}: the training subset has only ${rows.length} images`);

  const paths = fineTunePaths(options.out);
  const { lock } = prepareRunDirectory(options.out, options);
  const stage = new TwoViewStage({
    source: { kind: 'memory', size, count: rows.length, pixels: selectImages(train, rows, size) },
    recipe: FINETUNE_RECIPE,
    imageSize: size,
    batchSize,
    seed: options.seed,
    workers: options.workers,
    concurrency: options.concurrency,
  });
  const optimizer = createOptimizer(options.optimizer, options.weightDecay);
  const trainStep = crossEntropyStep(model, optimizer, labels, classNames.length);
  const stepsPerEpoch = stage.stepsPerEpoch;
  const totalSteps = Math.max(1, Math.round(options.epochs * stepsPerEpoch));
  const schedule = {
    peakLr: scaledLearningRate(options.lr, batchSize, options.lrScaling),
    warmupSteps: Math.min(totalSteps, Math.round(options.warmupEpochs * stepsPerEpoch)),
    totalSteps,
  };

  let step = 0;
  let events: EventWriter | undefined;
  let logger: MetricsLogger | undefined;
  try {
    if (resume) {
      step = (await loadCheckpoint(paths.checkpoint, model, optimizer)).step;
      await truncateJsonlAfterStep(paths.metrics, step);
      await truncateEventsAfterStep(options.out, step);
      log(step >= totalSteps ? `${options.out} already finished (step ${step}/${totalSteps})` : `resuming ${options.out} at step ${step}/${totalSteps}`);
    } else {
      await writeJsonAtomic(paths.config, {
        options: recordedOptions(options),
        backend: p.backend,
        versions: versions(),
        encoder: { spec: options.encoder, source: p.label, inputSize: size, fromHeadLayer: options.fromHeadLayer },
        data: {
          train: train.labels.length,
          test: test.labels.length,
          classes: classNames,
          subset: p.subset ?? null,
          trainImages: rows.length,
          trainImagesPerClass: countPerClass(labels, classNames),
          skipped: { train: train.dataset.skippedByReason, test: test.dataset.skippedByReason },
        },
        augment: FINETUNE_RECIPE,
        model: { parameters: model.model.countParams(), numClasses: classNames.length },
        batch: { images: batchSize },
        schedule: { ...schedule, stepsPerEpoch },
        createdAt: new Date().toISOString(),
      });
      await writeFileAtomic(paths.subset, Array.from(rows, (i) => train.dataset.paths[i]).join('\n') + '\n');
    }

    events = new EventWriter(options.out);
    logger = new MetricsLogger(new JsonlWriter(paths.metrics), events);
    const evaluate = () => evaluateOn(model, test, classNames);
    let last: ClassifierReport | undefined;
    // A run stopped between an epoch's checkpoint and its test line: score that epoch now.
    if (step > 0 && (step % stepsPerEpoch === 0 || step === totalSteps) && !(await hasTestRecord(paths.metrics, step))) {
      last = evaluate();
      await logger.logScalars({ step, epoch: step / stepsPerEpoch, ...testScalars(last) });
    }

    let stopped = false;
    while (step < totalSteps && !stopped) {
      const epoch = Math.floor(step / stepsPerEpoch) + 1;
      const until = Math.min(totalSteps, epoch * stepsPerEpoch);
      const sums = { loss: 0, top1: 0, steps: 0 };
      const result = await trainLoop(model, optimizer, trainStep, stage, logger, new ProgressReporter(`finetune epoch ${epoch}`, step), {
        batchSize,
        imageSize: size,
        onNan: options.onNan,
        schedule,
        startStep: step,
        until,
        logEvery: options.logEvery,
        checkpointEvery: options.checkpointEvery,
        checkpointDir: paths.checkpoint,
        signal: p.signal,
        onStep: (_, outcome) => {
          if (!outcome.finite) return;
          sums.loss += outcome.loss;
          sums.top1 += outcome.stats.top1;
          sums.steps += 1;
        },
      });
      step = result.finalStep;
      if (result.stopped) {
        stopped = true;
        break;
      }
      last = evaluate();
      const trainEpoch: Record<string, number> = sums.steps > 0 ? { trainEpochLoss: sums.loss / sums.steps, trainEpochTop1: sums.top1 / sums.steps, trainEpochSteps: sums.steps } : {};
      await logger.logScalars({ step, epoch: step / stepsPerEpoch, ...trainEpoch, ...testScalars(last) });
      log(
        `epoch ${epoch}/${Math.ceil(totalSteps / stepsPerEpoch)}: ` +
          (sums.steps > 0 ? `train loss ${(sums.loss / sums.steps).toFixed(4)}, accuracy ${pct(sums.top1 / sums.steps)}%; ` : '') +
          `test top-1 ${pct(last.top1)}%`,
      );
    }
    const base = { out: options.out, backend: p.backend, step, totalSteps, classNames, trainImages: rows.length };
    if (stopped) return { ...base, stopped: 'signal' };

    const final = last ?? evaluate();
    await exportClassifier(model, paths.model, size, classNames);
    await writeFileAtomic(paths.confusion, confusionCsv(final, classNames));
    await writeJsonAtomic(paths.results, {
      encoder: options.encoder,
      source: p.label,
      fromHeadLayer: options.fromHeadLayer,
      subset: p.subset ?? null,
      trainImages: rows.length,
      epochs: options.epochs,
      steps: totalSteps,
      classes: classNames,
      test: final,
    });
    return { ...base, test: final };
  } finally {
    await logger?.close();
    if (!logger) await events?.close();
    await stage.close();
    optimizer.dispose();
    lock.release();
  }
}

/** One clear line for the first invalid option, or nothing. */
export function validateFineTuneOptions(o: FineTuneOptions): void {
  for (const name of optionNames('finetune')) checkOption(name, o[name as keyof FineTuneOptions]);
  const subsets = labelSubsetsOf(o);
  if (subsets.length > 1) throw new Error('finetune takes one --label-fraction or --per-class value (probe takes a list)');
  if (o.encoder === 'raw') throw new Error("--encoder raw has no weights to fine-tune: use random for training from scratch");
  if (o.fromHeadLayer > 0 && o.encoder === 'random') throw new Error('--from-head-layer needs a pretrained run (its projection head), not --encoder random');
  if (o.resume && o.force) throw new Error('--resume and --force contradict each other: pick one');
}

/** The encoder to start from: a run's or encoder directory's, with the run's head for --from-head-layer, or a random one. */
async function loadFineTuneEncoder(o: FineTuneOptions): Promise<{ encoder: tf.LayersModel; head?: tf.LayersModel; label: string }> {
  if (o.encoder === 'random') {
    const model = SimclrModel.build(modelConfigOf({ ...o, projDim: 128, projLayers: 2 }));
    model.head.dispose();
    return { encoder: model.encoder, label: 'random' };
  }
  if (o.fromHeadLayer > 0) {
    const { model, label } = await loadRunModel(o.encoder);
    return { encoder: model.encoder, head: model.head, label };
  }
  const { encoder, label } = await loadEncoder(o.encoder);
  return { encoder, label };
}

/** The chosen rows' decoded pixels, in a shared buffer (augmentation workers read it without a copy). */
function selectImages(split: LabelledDataset, rows: Int32Array, size: number): Uint8Array {
  const source = split.dataset.source;
  if (source.kind !== 'memory') throw new Error('finetune: images must be decoded into memory');
  const per = size * size * 3;
  const out = new Uint8Array(new SharedArrayBuffer(rows.length * per));
  rows.forEach((row, k) => out.set(source.pixels.subarray(row * per, (row + 1) * per), k * per));
  return out;
}

/** Test logits of the whole test split (centre view, BN in inference mode), scored. */
function evaluateOn(model: FineTuneModel, test: LabelledDataset, classNames: string[]): ClassifierReport {
  const source = test.dataset.source;
  if (source.kind !== 'memory') throw new Error('finetune: images must be decoded into memory');
  const classifier = fromLayersModel('classifier', model.model, { borrowed: true });
  const logits = classifier.embed(source.pixels, test.labels.length);
  classifier.dispose();
  return classifierReport(logits, test.labels, classNames);
}

function testScalars(r: ClassifierReport): Record<string, number> {
  return { testTop1: r.top1, ...(r.top5 !== undefined && { testTop5: r.top5 }), testLoss: r.loss };
}

async function hasTestRecord(metrics: string, step: number): Promise<boolean> {
  const records = await readJsonl<{ step?: number; testTop1?: number }>(metrics).catch(() => []);
  return records.some((r) => r.step === step && r.testTop1 !== undefined);
}

/** model/: the classifier as one TF.js layers model (images → logits), how to feed it, and its classes in output order. */
async function exportClassifier(model: FineTuneModel, dir: string, size: number, classNames: string[]): Promise<void> {
  await replaceDirAtomic(dir, async (tmp) => {
    await model.model.save(dirSaveHandler(tmp));
    const preprocessing = { inputShape: [size, size, 3], output: 'logits', numClasses: classNames.length, classNames, ...PREPROCESSING };
    await fs.writeFile(path.join(tmp, 'preprocessing.json'), JSON.stringify(preprocessing, null, 2) + '\n');
    await fs.writeFile(path.join(tmp, 'classes.txt'), classNames.join('\n') + '\n');
  });
}

function countPerClass(labels: Int32Array, classNames: string[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(classNames.map((c) => [c, 0]));
  for (const l of labels) counts[classNames[l]] += 1;
  return counts;
}

function pct(x: number): string {
  return (100 * x).toFixed(2);
}

/** The architecture flags build only `--encoder random`; a loaded encoder brings its own (see `encoder`). */
const ARCHITECTURE = ['backbone', 'width', 'cifarStem', 'imageSize'] as const;

function recordedOptions(o: FineTuneOptions): Partial<FineTuneOptions> {
  if (o.encoder === 'random') return o;
  return Object.fromEntries(Object.entries(o).filter(([key]) => !(ARCHITECTURE as readonly string[]).includes(key))) as Partial<FineTuneOptions>;
}
