/** An augmentation worker thread: makes the views it is sent straight into the shared batch. */
import { parentPort, workerData } from 'node:worker_threads';
import { ViewMaker, type ViewJob, type ViewMakerConfig } from './viewMaker.js';

export interface WorkerRequest {
  id: number;
  job: ViewJob;
  out: SharedArrayBuffer;
}

export interface WorkerReply {
  id: number;
  error?: string;
}

if (!parentPort) throw new Error('augment/worker.js must be started as a worker thread');
const port = parentPort;
const maker = new ViewMaker(workerData as ViewMakerConfig);

port.on('message', (request: WorkerRequest) => {
  maker.write(request.job, new Float32Array(request.out)).then(
    () => port.postMessage({ id: request.id } satisfies WorkerReply),
    (err: unknown) => port.postMessage({ id: request.id, error: err instanceof Error ? err.message : String(err) } satisfies WorkerReply),
  );
});
