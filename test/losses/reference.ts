/**
 * Plain-loop float64 references for the loss tests, written independently of src/losses
 * (no Gram-matrix tricks, no log-sum-exp, mining by brute force), plus small test utilities.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { Rng } from '../../augment/rng.js';

export type Matrix = number[][];

/** Gaussian matrix rounded to float32, so tfjs and the references see the same numbers. */
export function randomMatrix(rng: Rng, rows: number, cols: number, scale = 1): Matrix {
  return Array.from({ length: rows }, () =>
    Array.from({ length: cols }, () => Math.fround(scale * rng.normal())),
  );
}

export function unitRows(x: Matrix): Matrix {
  return x.map((row) => {
    let s = 0;
    for (const v of row) s += v * v;
    const norm = Math.sqrt(s);
    return row.map((v) => v / norm);
  });
}

export function dot(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function euclidean(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

/** Distance matrix of the stacked, normalised views [z1; z2]. */
export function viewDistances(z1: Matrix, z2: Matrix, metric: 'euclidean' | 'cosine'): Matrix {
  const u = unitRows([...z1, ...z2]);
  return u.map((a) => u.map((b) => (metric === 'euclidean' ? euclidean(a, b) : 1 - dot(a, b))));
}

export function groupsOfViews(n: number, labels?: number[]): number[] {
  const g = labels ?? Array.from({ length: n }, (_, i) => i);
  return [...g, ...g];
}

/** Views i, j are positives: `same` when given (a pair relation over views), else the same group. */
function positiveOf(g: number[], same?: (i: number, j: number) => boolean): (i: number, j: number) => boolean {
  return same ?? ((i, j) => g[i] === g[j]);
}

/** View relation of image pairs: views of the same image, or of two paired images (pairs as [i, j] image positions). */
export function pairedViews(n: number, pairs: [number, number][]): (v: number, w: number) => boolean {
  return (v, w) => {
    const a = v % n;
    const b = w % n;
    return a === b || pairs.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
  };
}

export function refContrastive(z1: Matrix, z2: Matrix, margin: number, labels?: number[], same?: (i: number, j: number) => boolean): number {
  const d = viewDistances(z1, z2, 'euclidean');
  const g = groupsOfViews(z1.length, labels);
  const isPos = positiveOf(g, same);
  let pos = 0;
  let nPos = 0;
  let neg = 0;
  let nNeg = 0;
  for (let i = 0; i < g.length; i++) {
    for (let j = i + 1; j < g.length; j++) {
      if (isPos(i, j)) {
        pos += 0.5 * d[i][j] ** 2;
        nPos++;
      } else {
        neg += 0.5 * Math.max(0, margin - d[i][j]) ** 2;
        nNeg++;
      }
    }
  }
  return pos / nPos + (nNeg ? neg / nNeg : 0);
}

export type Mining = 'all' | 'hard' | 'semi-hard';

/** Brute-force mining + hinge, straight from the definitions. */
export function refTriplet(
  z1: Matrix,
  z2: Matrix,
  opts: { margin: number; metric: 'euclidean' | 'cosine'; mining: Mining; labels?: number[]; same?: (i: number, j: number) => boolean; averageAllValid?: boolean },
): { loss: number; count: number; easy: number; semiHard: number; hard: number } {
  const d = viewDistances(z1, z2, opts.metric);
  const g = groupsOfViews(z1.length, opts.labels);
  const isPos = positiveOf(g, opts.same);
  let valid = 0;
  const m = g.length;
  const alpha = opts.margin;
  const losses: number[] = [];
  let easy = 0;
  let semiHard = 0;
  let hard = 0;
  const hinge = (a: number, p: number, n: number) => Math.max(0, d[a][p] - d[a][n] + alpha);
  for (let a = 0; a < m; a++) {
    const positives = [...Array(m).keys()].filter((p) => p !== a && isPos(a, p));
    const negatives = [...Array(m).keys()].filter((n) => !isPos(a, n));
    valid += positives.length * negatives.length;
    for (const p of positives) {
      for (const n of negatives) {
        if (d[a][n] <= d[a][p]) hard++;
        else if (d[a][n] <= d[a][p] + alpha) semiHard++;
        else easy++;
      }
    }
    if (positives.length === 0 || negatives.length === 0) continue;
    if (opts.mining === 'hard') {
      const p = positives.reduce((x, y) => (d[a][y] > d[a][x] ? y : x));
      const n = negatives.reduce((x, y) => (d[a][y] < d[a][x] ? y : x));
      losses.push(hinge(a, p, n));
    } else {
      for (const p of positives) {
        if (opts.mining === 'all') {
          for (const n of negatives) if (hinge(a, p, n) > 0) losses.push(hinge(a, p, n));
        } else {
          const window = negatives.filter((n) => d[a][n] > d[a][p] && d[a][n] < d[a][p] + alpha);
          const pool = window.length ? window : negatives;
          const n = pool.reduce((x, y) => (d[a][y] < d[a][x] ? y : x));
          losses.push(hinge(a, p, n));
        }
      }
    }
  }
  const total = easy + semiHard + hard;
  return {
    // averageAllValid (the ranking loss's mean under 'all' mining): over every valid triplet, zero hinges included.
    loss: losses.reduce((s, v) => s + v, 0) / Math.max(1, opts.averageAllValid && opts.mining === 'all' ? valid : losses.length),
    count: losses.length,
    easy: easy / total,
    semiHard: semiHard / total,
    hard: hard / total,
  };
}

const logSigmoid = (x: number) => -Math.log(1 + Math.exp(-x));

export function refNce(pos: number[], neg: Matrix, noiseLogProb?: number): number {
  let total = 0;
  for (let b = 0; b < pos.length; b++) {
    const c = noiseLogProb === undefined ? 0 : Math.log(neg[b].length) + noiseLogProb;
    let l = -logSigmoid(pos[b] - c);
    for (const s of neg[b]) l -= Math.log(1 - 1 / (1 + Math.exp(-(s - c))));
    total += l;
  }
  return total / pos.length;
}

export function refInfoNce(pos: number[], neg: Matrix, tau: number): number {
  let total = 0;
  for (let b = 0; b < pos.length; b++) {
    let z = Math.exp(pos[b] / tau);
    for (const s of neg[b]) z += Math.exp(s / tau);
    total += -Math.log(Math.exp(pos[b] / tau) / z);
  }
  return total / pos.length;
}

/** `queue` rows are used as they are (MoCo stores normalised keys). */
export function refMoco(q: Matrix, k: Matrix, queue: Matrix, tau: number): number {
  const qn = unitRows(q);
  const kn = unitRows(k);
  return refInfoNce(
    qn.map((row, b) => dot(row, kn[b])),
    qn.map((row) => queue.map((key) => dot(row, key))),
    tau,
  );
}

/** Central differences of f with respect to every entry of x. */
export function numericGradient(f: (x: Matrix) => number, x: Matrix, eps = 1e-6): Matrix {
  return x.map((row, i) =>
    row.map((_, j) => {
      const at = (delta: number) => f(x.map((r, ii) => r.map((v, jj) => (ii === i && jj === j ? v + delta : v))));
      return (at(eps) - at(-eps)) / (2 * eps);
    }),
  );
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-4, atol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = atol + rtol * Math.abs(expected[i]);
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      throw new Error(`entry ${i}: got ${actual[i]}, expected ${expected[i]} (±${tol.toExponential(1)})`);
    }
  }
}

/** Gradients of a tfjs loss of two matrices, as plain arrays. */
export function tfGradients(
  loss: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Scalar,
  a: Matrix,
  b: Matrix,
): [Float32Array, Float32Array] {
  const ta = tf.tensor2d(a);
  const tb = tf.tensor2d(b);
  const [ga, gb] = tf.grads((x, y) => loss(x as tf.Tensor2D, y as tf.Tensor2D))([ta, tb]);
  const out: [Float32Array, Float32Array] = [ga.dataSync() as Float32Array, gb.dataSync() as Float32Array];
  tf.dispose([ta, tb, ga, gb]);
  return out;
}

/** Runs fn and checks it leaves no tensor behind. */
export function withoutLeaks<T>(fn: () => T): T {
  const before = tf.memory().numTensors;
  const out = fn();
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

/** Value of a tfjs loss of two matrices (the tensors are disposed). */
export function tfValue(loss: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Scalar, a: Matrix, b: Matrix): number {
  const ta = tf.tensor2d(a);
  const tb = tf.tensor2d(b);
  const l = loss(ta, tb);
  const v = l.dataSync()[0];
  tf.dispose([ta, tb, l]);
  return v;
}

export interface LogitRule {
  tau: number;
  anchorLabels: number[];
  candidateLabels: number[];
  /** Anchor i is candidate selfOffset + i. */
  selfOffset?: number;
  batchNegatives?: boolean;
  /** Rows that are negatives of every anchor. */
  extra?: Matrix;
  /** Labels that are positives of each other besides equal ones (a pair relation). */
  related?: (a: number, b: number) => boolean;
}

/**
 * The softmax / logistic objectives and their statistics from the definitions, pair by pair:
 * s = a·c (rows used as given), positives share a label, the anchor itself is no candidate.
 * Cross-entropy averages −log p over each anchor's positives (p over all its positives and
 * negatives), NCE sums −log σ(s⁺/τ) and −log(1 − σ(s⁻/τ)); both are averaged over the anchors.
 */
export function refLogitObjectives(anchors: Matrix, candidates: Matrix, rule: LogitRule) {
  const { tau, anchorLabels, candidateLabels, selfOffset, batchNegatives = true, extra = [], related } = rule;
  let crossEntropy = 0;
  let nce = 0;
  let hits = 0;
  const positive: number[] = [];
  const negative: number[] = [];
  anchors.forEach((a, i) => {
    const pos: number[] = [];
    const neg: number[] = [];
    candidates.forEach((c, j) => {
      if (j === (selfOffset ?? -Infinity) + i) return;
      if (candidateLabels[j] === anchorLabels[i] || related?.(anchorLabels[i], candidateLabels[j])) pos.push(dot(a, c));
      else if (batchNegatives) neg.push(dot(a, c));
    });
    for (const e of extra) neg.push(dot(a, e));
    let denominator = 0;
    for (const s of [...pos, ...neg]) denominator += Math.exp(s / tau);
    for (const s of pos) crossEntropy -= Math.log(Math.exp(s / tau) / denominator) / pos.length;
    for (const s of pos) nce += Math.log(1 + Math.exp(-s / tau));
    for (const s of neg) nce += Math.log(1 + Math.exp(s / tau));
    if (Math.max(...pos) > Math.max(...neg)) hits++;
    positive.push(...pos);
    negative.push(...neg);
  });
  const mean = (v: number[]) => v.reduce((x, y) => x + y, 0) / v.length;
  return {
    crossEntropy: crossEntropy / anchors.length,
    nce: nce / anchors.length,
    stats: [hits / anchors.length, mean(positive), mean(negative)],
  };
}
