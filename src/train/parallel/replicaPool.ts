import * as tf from '@tensorflow/tfjs';
import { Worker } from 'node:worker_threads';
import type { ModelConfig, SimclrModel } from '../../models/simclrModel.js';
import { workerScript } from '../../../augment/workerScript.js';
import { microBatchViews, type MicroBatch } from '../steps/gradientCache.js';
import type { ReplicaPool } from '../steps/ntXentStep.js';
import type { NamedGrads } from '../steps/trainStep.js';
import type { NamedValues, ReplicaConfig, ReplicaReply, ReplicaRequest } from './protocol.js';

type Pending = { resolve: (reply: ReplicaReply) => void; reject: (err: Error) => void };

/** One replica thread and its requests in flight. */
class ReplicaThread {
  private readonly thread: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(script: URL, config: ReplicaConfig) {
    this.thread = new Worker(script, { workerData: config });
    this.thread.on('message', (reply: ReplicaReply) => {
      const p = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.kind === 'error') p?.reject(new Error(`replica thread: ${reply.error}`));
      else p?.resolve(reply);
    });
    this.thread.on('error', (err) => this.fail(new Error(`replica thread failed: ${err.message}`)));
    this.thread.on('exit', (code) => this.fail(new Error(`replica thread exited (code ${code})`)));
  }

  request<K extends ReplicaReply['kind']>(message: ReplicaRequest, transfer: ArrayBuffer[] = []): Promise<Extract<ReplicaReply, { kind: K }>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(message.id, { resolve: resolve as (r: ReplicaReply) => void, reject });
      this.thread.postMessage(message, transfer);
    });
  }

  id(): number {
    return this.nextId++;
  }

  close(): void {
    this.fail(new Error('replica thread closed'));
    void this.thread.terminate();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }
}

/**
 * Data-parallel replicas in worker threads (the wasm backend runs one thread per Node thread).
 * This thread is replica 0 and the coordinator: it alone holds optimizer state and applies the
 * summed gradient, and it sends the current weights with each step's views. That costs one
 * copy of the parameters per worker and step (~3 MB for the bench model, a few ms) and keeps
 * every replica exactly in step, with nothing to synchronise on resume. Workers' BatchNorm
 * moving averages are never used: checkpoints and the exported encoder carry replica 0's.
 */
export class WorkerReplicaPool implements ReplicaPool {
  private readonly threads: ReplicaThread[];
  private shapes: Record<string, number[]> = {};

  constructor(workers: number, config: ReplicaConfig) {
    const script = workerScript('./replicaWorker.js', import.meta.url, 'or train with --replicas 1');
    this.threads = Array.from({ length: workers }, () => new ReplicaThread(script, config));
  }

  get size(): number {
    return this.threads.length;
  }

  async project(model: SimclrModel, views: tf.Tensor4D, batchSize: number, shares: MicroBatch[][]): Promise<Promise<tf.Tensor2D[]>[]> {
    const variables = model.namedWeights(true);
    this.shapes = Object.fromEntries(Object.entries(variables).map(([name, v]) => [name, v.shape]));
    const weights: NamedValues = {};
    for (const [name, v] of Object.entries(variables)) weights[name] = Float32Array.from((await v.data()) as Float32Array);
    const blocks = await Promise.all(
      shares.map(async (share) => {
        const block = tf.tidy(() => tf.concat(share.map((mb) => microBatchViews(views, batchSize, mb)), 0));
        const values = Float32Array.from((await block.data()) as Float32Array);
        block.dispose();
        return values;
      }),
    );
    const imageSize = views.shape[1];
    return shares.map((share, i) => {
      const thread = this.threads[i];
      const sizes = share.map((mb) => mb.size);
      const request = { id: thread.id(), kind: 'project', weights, views: blocks[i], sizes, imageSize } as const;
      return thread.request<'project'>(request, [blocks[i].buffer]).then(({ z }) => splitRows(z, sizes));
    });
  }

  async backprop(dz: tf.Tensor2D[], shares: MicroBatch[][]): Promise<Promise<NamedGrads>[]> {
    let next = 0;
    const blocks = await Promise.all(
      shares.map(async (share) => {
        const mine = dz.slice(next, (next += share.length));
        const block = tf.concat(mine, 0);
        const values = Float32Array.from((await block.data()) as Float32Array);
        block.dispose();
        return values;
      }),
    );
    return shares.map((_, i) => {
      const thread = this.threads[i];
      return thread
        .request<'backprop'>({ id: thread.id(), kind: 'backprop', dz: blocks[i] }, [blocks[i].buffer])
        .then(({ grads }) => toTensors(grads, this.shapes));
    });
  }

  close(): void {
    for (const t of this.threads) t.close();
  }
}

/** A worker's z, [Σ 2m, D], cut back into its micro-batches' [2m, D] blocks. */
function splitRows(z: Float32Array, sizes: number[]): tf.Tensor2D[] {
  const dim = z.length / sizes.reduce((rows, m) => rows + 2 * m, 0);
  let row = 0;
  return sizes.map((m) => {
    const block = tf.tensor2d(z.subarray(row * dim, (row + 2 * m) * dim), [2 * m, dim]);
    row += 2 * m;
    return block;
  });
}

function toTensors(values: NamedValues, shapes: Record<string, number[]>): NamedGrads {
  return Object.fromEntries(Object.entries(values).map(([name, v]) => [name, tf.tensor(v, shapes[name])]));
}

/**
 * Replicas for `--replicas n`: n − 1 worker threads beside this one (running the compiled
 * replicaWorker.js, so from dist/), or none when n is 1.
 */
export function startReplicaPool(replicas: number, model: ModelConfig): WorkerReplicaPool | undefined {
  if (replicas <= 1) return undefined;
  const backend = tf.getBackend();
  if (backend !== 'wasm' && backend !== 'cpu') {
    throw new Error(`--replicas is for the single-threaded wasm and cpu backends; the '${backend}' backend already uses every core: drop --replicas`);
  }
  return new WorkerReplicaPool(replicas - 1, { backend, model });
}
