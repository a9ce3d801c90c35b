/**
 * GFLOP/s of the forward convolution and of the two backward convolutions on wasm (this
 * project's kernels) and on the pure-JS cpu backend, for the ResNet-18 width-0.25 CIFAR
 * shapes at batch 128. Run by hand: `npx tsc -p . && node dist/bench/kernels.js [--cpu]`.
 * The cpu backend is ~100× slower, so it is timed at batch 8 and only with --cpu.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../src/backend/wasmKernels/index.js';

interface Shape {
  hw: number;
  ci: number;
  co: number;
  k: number;
  stride: number;
}

// One of each distinct conv in ResNet-18 (CIFAR stem, width 0.25) at 32×32.
const SHAPES: Shape[] = [
  { hw: 32, ci: 3, co: 16, k: 3, stride: 1 },
  { hw: 32, ci: 16, co: 16, k: 3, stride: 1 },
  { hw: 32, ci: 16, co: 32, k: 3, stride: 2 },
  { hw: 32, ci: 16, co: 32, k: 1, stride: 2 },
  { hw: 16, ci: 32, co: 32, k: 3, stride: 1 },
  { hw: 16, ci: 32, co: 64, k: 3, stride: 2 },
  { hw: 8, ci: 64, co: 64, k: 3, stride: 1 },
  { hw: 8, ci: 64, co: 128, k: 3, stride: 2 },
  { hw: 4, ci: 128, co: 128, k: 3, stride: 1 },
];

type Pass = 'forward' | 'filter' | 'input';

/** Median seconds of `reps` runs of one kernel, after one warm-up run. */
async function time(run: () => tf.Tensor, reps: number): Promise<number> {
  const once = async () => {
    const t0 = performance.now();
    const out = run();
    await out.data();
    out.dispose();
    return (performance.now() - t0) / 1000;
  };
  await once();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) times.push(await once());
  return times.sort((a, b) => a - b)[Math.floor(reps / 2)];
}

async function measure(s: Shape, n: number, pass: Pass, reps: number): Promise<number> {
  const x = tf.randomNormal([n, s.hw, s.hw, s.ci]) as tf.Tensor4D;
  const w = tf.randomNormal([s.k, s.k, s.ci, s.co]) as tf.Tensor4D;
  const y = tf.conv2d(x, w, s.stride, 'same');
  const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
  const attrs = { strides: s.stride, pad: 'same', dataFormat: 'NHWC' } as const;
  const run = {
    forward: () => tf.conv2d(x, w, s.stride, 'same'),
    filter: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape }) as tf.Tensor,
    input: () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape }) as tf.Tensor,
  }[pass];
  const seconds = await time(run, reps);
  tf.dispose([x, w, y, dy]);
  const flops = 2 * n * y.shape[1] * y.shape[2] * s.co * s.k * s.k * s.ci;
  return flops / seconds / 1e9;
}

async function table(backend: 'wasm' | 'cpu', n: number, reps: number): Promise<void> {
  await tf.setBackend(backend);
  await tf.ready();
  if (backend === 'wasm') registerWasmTrainingKernels();
  console.log(`\n${backend}, batch ${n}: GFLOP/s (median of ${reps})`);
  console.log('shape                      forward   dW(filter)  dX(input)');
  for (const s of SHAPES) {
    const name = `${s.hw}x${s.hw}x${s.ci}->${s.co} k${s.k} s${s.stride}`.padEnd(26);
    const cells: string[] = [];
    for (const pass of ['forward', 'filter', 'input'] as Pass[]) {
      // The stem's dX is never needed in training (its input is the image).
      const skip = pass === 'input' && s.ci === 3;
      cells.push(skip ? '      -' : (await measure(s, n, pass, reps)).toPrecision(3).padStart(7));
    }
    console.log(`${name} ${cells.join('    ')}`);
  }
}

await table('wasm', 128, 5);
if (process.argv.includes('--cpu')) await table('cpu', 8, 1);
