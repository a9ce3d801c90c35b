import { Rng } from '../../augment/rng.js';
import type { Features } from '../../src/eval/features.js';

/**
 * Gaussian blobs: class c's mean is a random direction scaled to length `separation` (drawn from
 * `seed`), points = mean + N(0, noise²) per coordinate (drawn from `sampleSeed`, so a train and a
 * test set share the means). Labels are balanced and interleaved.
 */
export function gaussianBlobs(
  n: number,
  dim: number,
  numClasses: number,
  { separation = 10, noise = 1, seed = 1, sampleSeed = 0 }: { separation?: number; noise?: number; seed?: number; sampleSeed?: number } = {},
): { features: Features; labels: Int32Array } {
  const rng = Rng.derive(seed, 1);
  const means = Array.from({ length: numClasses }, () => {
    const v = Array.from({ length: dim }, () => rng.normal());
    const norm = Math.hypot(...v);
    return v.map((x) => (x / norm) * separation);
  });
  const sampler = Rng.derive(seed, 5, sampleSeed);
  const data = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % numClasses;
    labels[i] = c;
    for (let j = 0; j < dim; j++) data[i * dim + j] = means[c][j] + noise * sampler.normal();
  }
  return { features: { data, n, dim }, labels };
}

export function randomFeatures(n: number, dim: number, seed: number): Features {
  const rng = Rng.derive(seed, 2);
  const data = new Float32Array(n * dim);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { data, n, dim };
}

export function randomLabels(n: number, numClasses: number, seed: number): Int32Array {
  const rng = Rng.derive(seed, 3);
  return Int32Array.from({ length: n }, () => rng.int(numClasses));
}

/** A seeded permutation of the labels (same class counts, no relation to the features). */
export function shuffledLabels(labels: Int32Array, seed: number): Int32Array {
  return Int32Array.from(Rng.derive(seed, 4).shuffle(Array.from(labels)));
}
