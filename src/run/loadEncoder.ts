import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';
import { modelConfigOf } from '../config/pretrainOptions.js';
import { dirLoadHandler } from '../io/modelStore.js';
import { fromLayersModel, randomEncoder, rawPixels, type EncoderSpecDefaults, type FeatureExtractor } from '../models/featureExtractor.js';
import { SimclrModel } from '../models/simclrModel.js';
import { hasCheckpoint, loadCheckpointWeights } from '../train/checkpoint.js';
import { bundledNamesHint, resolveEncoderSpec } from './bundledEncoders.js';
import { runPaths } from './runDirectory.js';

export interface LoadedEncoder {
  encoder: tf.LayersModel;
  /** What was loaded, for logs and reports: the spec, plus the checkpoint step for an unfinished run. */
  label: string;
}

/**
 * A trained encoder: an encoder directory, a finished run (its encoder/), a run that is still
 * training or was stopped (the encoder part of its latest checkpoint, read without touching it),
 * or a bundled encoder by name (models/<name>/).
 */
export async function loadEncoder(name: string): Promise<LoadedEncoder> {
  const spec = resolveEncoderSpec(name);
  const finished = [spec, path.join(spec, 'encoder')].find((d) => fs.existsSync(path.join(d, 'model.json')));
  if (finished) return { encoder: await tf.loadLayersModel(dirLoadHandler(finished)), label: name };
  if (!hasCheckpoint(runPaths(spec).checkpoint)) {
    throw new Error(`--encoder ${name}: not a run directory, an encoder directory (model.json), 'raw', 'random'${bundledNamesHint()}`);
  }
  const { model, label } = await loadRunModel(spec);
  model.head.dispose();
  return { encoder: model.encoder, label };
}

/**
 * Encoder and projection head of a run, from its latest checkpoint (finished or not), read
 * without touching the run: what fine-tuning from inside the head (SimCLRv2) needs.
 */
export async function loadRunModel(spec: string): Promise<{ model: SimclrModel; label: string }> {
  const paths = runPaths(spec);
  if (!hasCheckpoint(paths.checkpoint)) {
    throw new Error(`--encoder ${spec}: no checkpoint/ with the projection head (a run directory is needed, not an encoder directory)`);
  }
  let options: Parameters<typeof modelConfigOf>[0];
  let totalSteps: number | undefined;
  try {
    const config = JSON.parse(fs.readFileSync(paths.config, 'utf8'));
    options = config.options;
    totalSteps = config.schedule?.totalSteps;
    if (!options?.backbone) throw new Error('it has no options.backbone');
  } catch (err) {
    throw new Error(`--encoder ${spec}: a run without encoder/ whose ${paths.config} cannot describe the model (${(err as Error).message})`);
  }
  const model = SimclrModel.build(modelConfigOf(options));
  try {
    const step = await loadCheckpointWeights(paths.checkpoint, model);
    return { model, label: `${spec} (checkpoint, step ${step}${totalSteps ? ` of ${totalSteps}` : ''})` };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/** What `--encoder` names: a run or encoder directory, or the `raw` / `random` baseline. */
export async function loadFeatureExtractor(spec: string, defaults: EncoderSpecDefaults): Promise<FeatureExtractor> {
  if (spec === 'raw') return rawPixels(defaults.imageSize);
  if (spec === 'random') return randomEncoder(defaults);
  const { encoder, label } = await loadEncoder(spec);
  return fromLayersModel(label, encoder);
}

