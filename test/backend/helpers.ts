import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Rng } from '../../augment/rng.js';
import { registerWasmTrainingKernels } from '../../src/backend/wasmKernels/index.js';

export async function useWasm(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  registerWasmTrainingKernels();
}

export function randomValues(rng: Rng, size: number): Float32Array {
  const v = new Float32Array(size);
  for (let i = 0; i < size; i++) v[i] = rng.uniform(-1, 1);
  return v;
}

/** Runs one kernel by name on `backend` with plain arrays in and out. */
export async function runKernelOn(
  backend: string,
  kernelName: string,
  inputs: Record<string, { values: Float32Array; shape: number[] }>,
  attrs: Record<string, unknown>,
): Promise<{ values: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  const tensors: tf.NamedTensorMap = {};
  for (const [k, v] of Object.entries(inputs)) tensors[k] = tf.tensor(v.values, v.shape, 'float32');
  const out = tf.engine().runKernel(kernelName, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const values = (await out.data()) as Float32Array;
  const shape = out.shape;
  tf.dispose([out, ...Object.values(tensors)]);
  return { values, shape };
}

/** max |a-b| / max |b|: relative to the reference's scale, robust to entries near zero. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / Math.max(scale, 1e-30);
}

export interface ConvCase {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  k: number;
  stride: number;
  pad: 'same' | 'valid';
}

/** Hand-picked edge cases plus seeded random ones: strides 1/2, same/valid, odd/even, 1/3/7 filters. */
export function convCases(seed: number, randomCount: number): ConvCase[] {
  const fixed: ConvCase[] = [
    { n: 1, h: 8, w: 8, ci: 3, co: 4, k: 3, stride: 1, pad: 'same' },
    { n: 3, h: 7, w: 9, ci: 5, co: 2, k: 3, stride: 2, pad: 'same' },
    { n: 3, h: 8, w: 8, ci: 4, co: 6, k: 3, stride: 2, pad: 'same' },
    { n: 1, h: 9, w: 7, ci: 2, co: 3, k: 3, stride: 2, pad: 'valid' },
    { n: 3, h: 10, w: 10, ci: 4, co: 4, k: 3, stride: 2, pad: 'valid' },
    { n: 3, h: 8, w: 8, ci: 6, co: 5, k: 1, stride: 2, pad: 'same' },
    { n: 1, h: 7, w: 7, ci: 6, co: 5, k: 1, stride: 2, pad: 'valid' },
    { n: 3, h: 5, w: 6, ci: 3, co: 4, k: 1, stride: 1, pad: 'valid' },
    { n: 1, h: 8, w: 10, ci: 9, co: 6, k: 1, stride: 2, pad: 'valid' },
    { n: 3, h: 16, w: 15, ci: 3, co: 8, k: 7, stride: 2, pad: 'same' },
    { n: 1, h: 11, w: 12, ci: 3, co: 4, k: 7, stride: 1, pad: 'valid' },
    { n: 1, h: 13, w: 13, ci: 2, co: 3, k: 7, stride: 1, pad: 'same' },
    { n: 3, h: 4, w: 4, ci: 16, co: 8, k: 3, stride: 1, pad: 'same' },
  ];
  const rng = Rng.derive(seed, 1);
  const random: ConvCase[] = [];
  for (let i = 0; i < randomCount; i++) {
    const k = [1, 3, 7][rng.int(3)];
    const pad = rng.bernoulli(0.5) ? 'same' : 'valid';
    const min = pad === 'valid' ? k : 1;
    random.push({
      n: rng.bernoulli(0.5) ? 1 : 3,
      h: min + rng.int(12),
      w: min + rng.int(12),
      ci: 1 + rng.int(9),
      co: 1 + rng.int(9),
      k,
      stride: 1 + rng.int(2),
      pad,
    });
  }
  return [...fixed, ...random];
}

export function caseName(c: ConvCase): string {
  return `n${c.n} ${c.h}x${c.w}x${c.ci}->${c.co} k${c.k} s${c.stride} ${c.pad}`;
}
