import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';
import { recoverDir } from '../io/atomic.js';
import { loadTensorMap, saveTensorMap } from '../io/modelStore.js';
import type { TrainableModel } from '../models/trainableModel.js';
import type { Optimizer } from '../optim/optimizer.js';

/** What a checkpoint records besides tensors: enough to continue the run exactly. */
export interface CheckpointMeta {
  /** Number of optimizer steps completed. */
  step: number;
  optimizer: string;
  optimizerScalars: Record<string, number>;
  /** Checkpoint format version. */
  version: 1;
  savedAt: string;
}

const MODEL = 'model/';
const OPTIMIZER = 'optimizer/';
/** The objective's own state (MoCo key encoder and queue). */
const OBJECTIVE = 'objective/';

/**
 * Writes model weights (BN moving statistics included) and optimizer state into `dir`,
 * atomically: a reader, or a run killed mid-write, sees the previous checkpoint or this one.
 */
export async function saveCheckpoint(
  dir: string,
  model: TrainableModel,
  optimizer: Optimizer,
  step: number,
  objectiveState: tf.NamedTensorMap = {},
): Promise<void> {
  const state = optimizer.getState();
  const tensors: tf.NamedTensorMap = {};
  for (const [name, v] of Object.entries(model.namedWeights())) tensors[MODEL + name] = v;
  for (const [name, t] of Object.entries(state.tensors)) tensors[OPTIMIZER + name] = t;
  for (const [name, t] of Object.entries(objectiveState)) tensors[OBJECTIVE + name] = t;
  const meta: CheckpointMeta = {
    step,
    optimizer: optimizer.name,
    optimizerScalars: state.scalars,
    version: 1,
    savedAt: new Date().toISOString(),
  };
  await saveTensorMap(dir, tensors, meta);
}

export function hasCheckpoint(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'meta.json'));
}

/** The step of the checkpoint in `dir`, from its meta.json alone. */
export function checkpointStep(dir: string): number {
  const file = path.join(dir, 'meta.json');
  let meta: unknown;
  try {
    meta = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`checkpoint ${dir}: cannot read meta.json (${(err as Error).message})`);
  }
  return checkpointMeta(dir, meta).step;
}

/**
 * Restores a checkpoint into a model of the same architecture and its optimizer, and hands
 * the objective's own tensors to `restoreObjective` (before they are disposed).
 */
export async function loadCheckpoint(
  dir: string,
  model: TrainableModel,
  optimizer: Optimizer,
  restoreObjective?: (tensors: tf.NamedTensorMap) => void,
): Promise<CheckpointMeta> {
  await recoverDir(dir);
  const { tensors, meta } = await loadTensorMap(dir);
  try {
    const m = checkpointMeta(dir, meta);
    if (m.optimizer !== optimizer.name) {
      throw new Error(`checkpoint ${dir} was written by optimizer '${m.optimizer}', this run uses '${optimizer.name}'`);
    }
    assignModelWeights(dir, tensors, model);
    const optimizerTensors: tf.NamedTensorMap = {};
    for (const [name, t] of Object.entries(tensors)) {
      if (name.startsWith(OPTIMIZER)) optimizerTensors[name.slice(OPTIMIZER.length)] = t;
    }
    optimizer.setState({ tensors: optimizerTensors, scalars: m.optimizerScalars });
    const objectiveTensors: tf.NamedTensorMap = {};
    for (const [name, t] of Object.entries(tensors)) {
      if (name.startsWith(OBJECTIVE)) objectiveTensors[name.slice(OBJECTIVE.length)] = t;
    }
    restoreObjective?.(objectiveTensors);
    return m;
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

/** Copies a checkpoint's `model/` tensors into the model's weights, checking names and shapes. */
function assignModelWeights(dir: string, tensors: tf.NamedTensorMap, model: TrainableModel): void {
  for (const [name, v] of Object.entries(model.namedWeights())) {
    const saved = tensors[MODEL + name];
    if (!saved) throw new Error(`checkpoint ${dir} has no weight ${name}: was it written by a different model (--backbone/--width/--proj-*)?`);
    if (saved.shape.join() !== v.shape.join()) {
      throw new Error(`checkpoint ${dir}: weight ${name} has shape [${saved.shape}], the model expects [${v.shape}]`);
    }
    v.assign(saved);
  }
}

/** The checkpoint's meta.json as read with its tensors, checked to be one of ours. */
function checkpointMeta(dir: string, meta: unknown): CheckpointMeta {
  const m = meta as CheckpointMeta;
  if (m?.version !== 1 || !Number.isInteger(m.step)) throw new Error(`checkpoint ${dir}: meta.json is not a simclr-ts checkpoint`);
  return m;
}

/**
 * Loads only the model weights of a checkpoint, without touching the directory: the run that
 * writes it may still be training (probing a run as it goes). Returns the step.
 */
export async function loadCheckpointWeights(dir: string, model: TrainableModel, retry: { attempts?: number; retryMs?: number } = {}): Promise<number> {
  const { tensors, meta } = await readWhileRunWrites(dir, retry);
  try {
    const m = checkpointMeta(dir, meta);
    assignModelWeights(dir, tensors, model);
    return m.step;
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

/**
 * One consistent read of a checkpoint another process may be replacing: a read that overlaps a
 * swap fails (the directory is briefly absent) or mixes two saves (meta.json changed under it);
 * either is retried.
 */
async function readWhileRunWrites(dir: string, { attempts = 5, retryMs = 500 } = {}): Promise<Awaited<ReturnType<typeof loadTensorMap>>> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, retryMs));
    let loaded: Awaited<ReturnType<typeof loadTensorMap>> | undefined;
    try {
      loaded = await loadTensorMap(dir);
      const savedAt = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'))?.savedAt;
      if (savedAt === (loaded.meta as CheckpointMeta | undefined)?.savedAt) return loaded;
      lastError = new Error(`checkpoint ${dir} was replaced while it was read`);
    } catch (err) {
      lastError = err as Error;
    }
    if (loaded) tf.dispose(Object.values(loaded.tensors));
  }
  throw lastError!;
}
