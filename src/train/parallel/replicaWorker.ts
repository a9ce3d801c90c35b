/** A training replica thread: a model copy that runs the two gradient-caching passes on its share. */
import * as tf from '@tensorflow/tfjs';
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from '../../backend/select.js';
import { SimclrModel } from '../../models/simclrModel.js';
import { backpropCachedGradient, projectWithoutGradient } from '../steps/gradientCache.js';
import type { BackpropRequest, NamedValues, ProjectRequest, ReplicaConfig, ReplicaReply, ReplicaRequest } from './protocol.js';

if (!parentPort) throw new Error('replicaWorker.js must be started as a worker thread');
const port = parentPort;
const config = workerData as ReplicaConfig;
const ready = selectBackend(config.backend, { quiet: true }).then(() => SimclrModel.build(config.model));
// The views of the last pass 1, [2m, S, S, 3] per micro-batch, for the pass 2 that follows.
let views: tf.Tensor4D[] = [];
let queue: Promise<void> = Promise.resolve();

port.on('message', (request: ReplicaRequest) => {
  queue = queue
    .then(async () => {
      const model = await ready;
      return request.kind === 'project' ? project(model, request) : backprop(model, request);
    })
    .then(
      ([reply, transfer]) => port.postMessage(reply, transfer),
      (err: unknown) => port.postMessage({ id: request.id, kind: 'error', error: err instanceof Error ? err.message : String(err) } satisfies ReplicaReply),
    );
});

type Outgoing = [ReplicaReply, ArrayBuffer[]];

async function project(model: SimclrModel, r: ProjectRequest): Promise<Outgoing> {
  setWeights(model, r.weights);
  tf.dispose(views);
  const viewSize = r.imageSize * r.imageSize * 3;
  let offset = 0;
  views = r.sizes.map((m) => {
    const block = tf.tensor4d(r.views.subarray(offset, offset + 2 * m * viewSize), [2 * m, r.imageSize, r.imageSize, 3]);
    offset += 2 * m * viewSize;
    return block;
  });
  const zs = projectWithoutGradient(model, views);
  const joined = tf.concat(zs, 0);
  tf.dispose(zs);
  const z = ownCopy(await joined.data());
  joined.dispose();
  return [{ id: r.id, kind: 'project', z }, [z.buffer as ArrayBuffer]];
}

async function backprop(model: SimclrModel, r: BackpropRequest): Promise<Outgoing> {
  const dim = r.dz.length / views.reduce((rows, v) => rows + v.shape[0], 0);
  let row = 0;
  const dz = views.map((v) => {
    const block = tf.tensor2d(r.dz.subarray(row * dim, (row + v.shape[0]) * dim), [v.shape[0], dim]);
    row += v.shape[0];
    return block;
  });
  const grads = backpropCachedGradient(model, views, dz);
  tf.dispose([...dz, ...views]);
  views = [];
  const values: NamedValues = {};
  for (const [name, g] of Object.entries(grads)) values[name] = ownCopy(await g.data());
  tf.dispose(Object.values(grads));
  return [{ id: r.id, kind: 'backprop', grads: values }, Object.values(values).map((v) => v.buffer as ArrayBuffer)];
}

/** A copy with a buffer of its own: data() may return a view of backend memory, which must not be transferred. */
function ownCopy(values: tf.TypedArray): Float32Array {
  return Float32Array.from(values as Float32Array);
}

function setWeights(model: SimclrModel, weights: NamedValues): void {
  const variables = model.namedWeights(true);
  for (const [name, variable] of Object.entries(variables)) {
    const values = weights[name];
    if (!values || values.length !== variable.size) throw new Error(`replica: weight ${name} missing or of another size`);
    tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
  }
}
