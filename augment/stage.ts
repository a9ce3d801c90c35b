import { Worker } from 'node:worker_threads';
import type { ViewProtocol } from './recipe.js';
import { twoViewRecipes } from './recipe.js';
import { Rng } from './rng.js';
import { sourceCount, type ViewSource } from './source.js';
import { ViewMaker, type ViewJob, type ViewMakerConfig } from './viewMaker.js';
import type { WorkerReply, WorkerRequest } from './worker.js';
import { workerScript } from './workerScript.js';

export interface TwoViewStageOptions {
  source: ViewSource;
  /** Recipe spec, e.g. DEFAULT_RECIPE. */
  recipe: string;
  imageSize: number;
  colorStrength?: number;
  /** Images per step (B); a batch holds 2B views. */
  batchSize: number;
  seed: number;
  /** Augmentation worker threads; 0 = in the calling thread. */
  workers?: number;
  /** Concurrent decodes for a 'files' source (per worker). */
  concurrency?: number;
  protocol?: ViewProtocol;
  /** The images of epoch e in batch order (at least stepsPerEpoch × B): a pair-aware sampler; default a seeded shuffle. */
  epochOrder?: (epoch: number) => number[];
}

interface PendingJob {
  resolve: () => void;
  reject: (err: Error) => void;
}

/** A worker thread and the jobs it still owes. */
interface AugmentWorker {
  thread: Worker;
  pending: Map<number, PendingJob>;
  /** Set once the thread has died: later jobs fail at once instead of waiting forever. */
  failure?: Error;
}

/** Full batches per pass over `count` images (the remainder of an epoch is not trained). */
export function stepsPerEpochOf(count: number, batchSize: number): number {
  return Math.floor(count / batchSize);
}

/**
 * The two-view stage: `batch(step)` gives the 2B views of that step as one NHWC float32
 * array [2B, S, S, 3] (rows 0..B−1 view 1 of images i_0..i_{B−1}, rows B..2B−1 view 2 of
 * the same images) and starts making step+1 in the background. The result depends only on
 * (seed, step): the image order of epoch e is a permutation from Rng.derive(seed, e), and
 * each view draws from Rng.derive(seed, step, position, view).
 *
 * With `workers` > 0 the views are made in worker threads running the compiled worker.js beside
 * this module (so from dist/, not from .ts sources); with 0, in this thread, with identical output.
 */
export class TwoViewStage {
  readonly batchSize: number;
  readonly imageSize: number;
  readonly count: number;
  readonly stepsPerEpoch: number;
  readonly usesWorkers: boolean;
  private readonly seed: number;
  private readonly epochOrder?: (epoch: number) => number[];
  private readonly workers: AugmentWorker[] = [];
  private readonly maker?: ViewMaker;
  private readonly prefetched = new Map<number, Promise<Float32Array>>();
  private order: { epoch: number; indices: number[] } | undefined;
  private nextJobId = 0;
  private closed = false;

  constructor(options: TwoViewStageOptions) {
    const { source, batchSize, imageSize, seed, workers = 1, concurrency = 8 } = options;
    this.count = sourceCount(source);
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`TwoViewStage: batchSize must be a positive integer, got ${batchSize}`);
    if (this.count === 0) throw new Error('TwoViewStage: the source has no images');
    if (batchSize > this.count) throw new Error(`TwoViewStage: batchSize ${batchSize} is larger than the ${this.count} images in the source`);
    if (!Number.isInteger(seed)) throw new Error(`TwoViewStage: seed must be an integer, got ${seed}`);
    if (!(Number.isInteger(workers) && workers >= 0)) throw new Error(`TwoViewStage: workers must be a non-negative integer, got ${workers}`);
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new Error(`TwoViewStage: concurrency must be a positive integer, got ${concurrency}`);
    checkSource(source);
    // Parse here so a bad recipe fails in the caller's thread with its own message.
    twoViewRecipes(options.recipe, options);

    this.batchSize = batchSize;
    this.imageSize = imageSize;
    this.seed = seed;
    this.epochOrder = options.epochOrder;
    this.stepsPerEpoch = stepsPerEpochOf(this.count, batchSize);
    this.usesWorkers = workers > 0;
    const config: ViewMakerConfig = {
      source: this.usesWorkers ? shareSource(source) : source,
      recipe: options.recipe,
      imageSize,
      colorStrength: options.colorStrength,
      protocol: options.protocol,
      seed,
      concurrency,
    };
    if (this.usesWorkers) {
      const script = workerScript('./worker.js', import.meta.url, 'or pass workers: 0 (--workers 0) to make views in this thread');
      for (let i = 0; i < workers; i++) this.workers.push(startWorker(script, config));
    } else {
      this.maker = new ViewMaker(config);
    }
  }

  /** The source images of a step, in batch order. */
  imagesForStep(step: number): number[] {
    if (!(Number.isInteger(step) && step >= 0)) throw new Error(`TwoViewStage: step must be a non-negative integer, got ${step}`);
    const epoch = Math.floor(step / this.stepsPerEpoch);
    if (this.order?.epoch !== epoch) {
      this.order = { epoch, indices: this.epochOrder ? this.checkedOrder(epoch) : Rng.derive(this.seed, epoch).shuffle(Array.from({ length: this.count }, (_, i) => i)) };
    }
    const start = (step - epoch * this.stepsPerEpoch) * this.batchSize;
    return this.order.indices.slice(start, start + this.batchSize);
  }

  private checkedOrder(epoch: number): number[] {
    const indices = this.epochOrder!(epoch);
    if (indices.length < this.stepsPerEpoch * this.batchSize || indices.some((i) => !(Number.isInteger(i) && i >= 0 && i < this.count))) {
      throw new Error(`TwoViewStage: epoch order ${epoch} must hold ${this.stepsPerEpoch * this.batchSize} image indices below ${this.count}`);
    }
    return indices;
  }

  /** The views of `step` ([2B, S, S, 3]); also starts making step+1. */
  batch(step: number): Promise<Float32Array> {
    if (this.closed) return Promise.reject(new Error('TwoViewStage: batch() called after close()'));
    const result = this.prefetched.get(step) ?? this.make(step);
    // Anything prefetched for another step is stale now (the caller jumped): drop it.
    for (const key of this.prefetched.keys()) if (key !== step + 1) this.prefetched.delete(key);
    if (!this.prefetched.has(step + 1)) {
      const next = this.make(step + 1);
      next.catch(() => {}); // reported when (if) that step is asked for
      this.prefetched.set(step + 1, next);
    }
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.prefetched.clear();
    await Promise.all(this.workers.map((w) => w.thread.terminate()));
  }

  private async make(step: number): Promise<Float32Array> {
    const indices = this.imagesForStep(step);
    const length = 2 * this.batchSize * this.imageSize * this.imageSize * 3;
    if (!this.usesWorkers) {
      // Yield first so a prefetch never delays the caller's current step.
      await new Promise((resolve) => setImmediate(resolve));
      if (this.closed) throw new Error('TwoViewStage: closed before the batch was made');
      const out = new Float32Array(length);
      await this.maker!.write({ step, batchSize: this.batchSize, positions: indices.map((_, i) => i), indices }, out);
      return out;
    }
    const shared = new SharedArrayBuffer(length * 4);
    // Contiguous slices of the batch, one per worker.
    const per = Math.ceil(this.batchSize / this.workers.length);
    const parts: Promise<void>[] = [];
    for (let w = 0; w * per < this.batchSize; w++) {
      const positions = Array.from({ length: Math.min(per, this.batchSize - w * per) }, (_, i) => w * per + i);
      const job: ViewJob = { step, batchSize: this.batchSize, positions, indices: positions.map((p) => indices[p]) };
      parts.push(this.send(this.workers[w], job, shared));
    }
    await Promise.all(parts);
    return new Float32Array(shared);
  }

  private send(worker: AugmentWorker, job: ViewJob, out: SharedArrayBuffer): Promise<void> {
    const id = this.nextJobId++;
    return new Promise<void>((resolve, reject) => {
      if (worker.failure) return reject(worker.failure);
      // Idle workers must not keep the process alive, busy ones must.
      if (worker.pending.size === 0) worker.thread.ref();
      worker.pending.set(id, { resolve, reject });
      worker.thread.postMessage({ id, job, out } satisfies WorkerRequest);
    });
  }
}

function startWorker(url: URL, config: ViewMakerConfig): AugmentWorker {
  const thread = new Worker(url, { workerData: config });
  const worker: AugmentWorker = { thread, pending: new Map() };
  thread.unref();
  const settle = (id: number, err?: Error) => {
    const job = worker.pending.get(id);
    if (!job) return;
    worker.pending.delete(id);
    if (worker.pending.size === 0) thread.unref();
    if (err) job.reject(err);
    else job.resolve();
  };
  thread.on('message', (reply: WorkerReply) => settle(reply.id, reply.error === undefined ? undefined : new Error(reply.error)));
  const failAll = (err: Error) => {
    worker.failure ??= err;
    for (const id of [...worker.pending.keys()]) settle(id, err);
  };
  thread.on('error', (err) => failAll(new Error(`augmentation worker failed: ${err.message}`)));
  thread.on('exit', (code) => failAll(new Error(`augmentation worker exited (code ${code})`)));
  return worker;
}

function checkSource(source: ViewSource): void {
  if (!(Number.isInteger(source.size) && source.size >= 1)) throw new Error(`TwoViewStage: source size must be a positive integer, got ${source.size}`);
  if (source.kind === 'memory') {
    const expected = source.count * source.size * source.size * 3;
    if (source.pixels.length !== expected) {
      throw new Error(`TwoViewStage: memory source has ${source.pixels.length} bytes, expected count·size·size·3 = ${expected}`);
    }
  }
}

/** Workers read a memory source without copying when it is SharedArrayBuffer-backed; copy it once otherwise. */
function shareSource(source: ViewSource): ViewSource {
  if (source.kind !== 'memory' || source.pixels.buffer instanceof SharedArrayBuffer) return source;
  const pixels = new Uint8Array(new SharedArrayBuffer(source.pixels.length));
  pixels.set(source.pixels);
  return { ...source, pixels };
}
