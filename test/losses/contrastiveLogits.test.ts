import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { contrastiveLogits, type ContrastiveLogitsOptions } from '../../src/losses/contrastiveLogits.js';
import { MASKED_LOGIT, pairMasks } from '../../src/losses/contrastiveMasks.js';
import { binaryNce } from '../../src/losses/nce.js';
import { softmaxCrossEntropy } from '../../src/losses/softmaxCrossEntropy.js';
import {
  dot,
  expectClose,
  type LogitRule,
  type Matrix,
  numericGradient,
  randomMatrix,
  refInfoNce,
  refLogitObjectives,
  refMoco,
  refNce,
  unitRows,
  withoutLeaks,
} from './reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function optionsOf(rule: LogitRule, extra?: tf.Tensor2D): ContrastiveLogitsOptions {
  return {
    temperature: rule.tau,
    anchorLabels: Int32Array.from(rule.anchorLabels),
    candidateLabels: Int32Array.from(rule.candidateLabels),
    selfOffset: rule.selfOffset,
    batchNegatives: rule.batchNegatives,
    extraNegatives: extra,
  };
}

/** Cross-entropy, NCE and stats of the core on plain matrices (tensors disposed). */
function evaluate(anchors: Matrix, candidates: Matrix, rule: LogitRule) {
  return withoutLeaks(() => {
    const [a, c] = [tf.tensor2d(anchors), tf.tensor2d(candidates)];
    const extra = rule.extra && tf.tensor2d(rule.extra);
    const logits = contrastiveLogits(a, c, optionsOf(rule, extra));
    const [crossEntropy, nce] = [softmaxCrossEntropy(logits), binaryNce(logits)];
    const out = { crossEntropy: crossEntropy.dataSync()[0], nce: nce.dataSync()[0], stats: Array.from(logits.stats.dataSync()) };
    tf.dispose([a, c, extra ?? [], logits, crossEntropy, nce]);
    return out;
  });
}

/** The 2B views of B images, anchors the first `anchors` of them; labels = image, or `classes`. */
function viewRule(b: number, anchors: number, tau: number, classes?: number[]): LogitRule {
  const labels = [...Array(2 * b).keys()].map((v) => (classes ? classes[v % b] : v % b));
  return { tau, anchorLabels: labels.slice(0, anchors), candidateLabels: labels, selfOffset: 0 };
}

describe('contrastiveLogits', () => {
  it.each([
    { b: 4, anchors: 8, tau: 0.5 },
    { b: 5, anchors: 5, tau: 0.07 },
    { b: 3, anchors: 6, tau: 1 },
  ])('views of B=$b images, $anchors anchors, τ=$tau: InfoNCE / NCE of each anchor against the other views', ({ b, anchors, tau }) => {
    const rng = Rng.derive(41, b, anchors);
    const u = unitRows(randomMatrix(rng, 2 * b, 6));
    const got = evaluate(u.slice(0, anchors), u, viewRule(b, anchors, tau));
    // The existing per-anchor references: the positive is the other view, the negatives the other 2B − 2.
    const pos = u.slice(0, anchors).map((row, i) => dot(row, u[(i + b) % (2 * b)]));
    const neg = u.slice(0, anchors).map((row, i) => u.filter((_, k) => k !== i && k !== (i + b) % (2 * b)).map((other) => dot(row, other)));
    expectClose([got.crossEntropy], [refInfoNce(pos, neg, tau)]);
    expectClose([got.nce], [refNce(pos.map((s) => s / tau), neg.map((row) => row.map((s) => s / tau)))]);
    expectClose(got.stats, refLogitObjectives(u.slice(0, anchors), u, viewRule(b, anchors, tau)).stats);
  });

  it('with labels, every same-class view is a positive (the mean over them), self still left out', () => {
    const rng = Rng.derive(42);
    const u = unitRows(randomMatrix(rng, 10, 4));
    const rule = viewRule(5, 10, 0.2, [0, 1, 0, 2, 1]);
    const got = evaluate(u, u, rule);
    const ref = refLogitObjectives(u, u, rule);
    expectClose([got.crossEntropy, got.nce], [ref.crossEntropy, ref.nce]);
    expectClose(got.stats, ref.stats);
  });

  it("MoCo's form: only the own key counts among the batch's keys, the queue holds the negatives", () => {
    const rng = Rng.derive(43);
    const [q, k, queue] = [randomMatrix(rng, 4, 5), randomMatrix(rng, 4, 5), unitRows(randomMatrix(rng, 7, 5))];
    const images = [0, 1, 2, 3];
    const rule: LogitRule = { tau: 0.07, anchorLabels: images, candidateLabels: images, batchNegatives: false, extra: queue };
    const got = evaluate(unitRows(q), unitRows(k), rule);
    expectClose([got.crossEntropy], [refMoco(q, k, queue, 0.07)]);
    expectClose(got.stats, refLogitObjectives(unitRows(q), unitRows(k), rule).stats);
  });

  it('has the gradient that central differences of the float64 definition give, for anchors and candidates', () => {
    const rng = Rng.derive(44);
    const [anchors, candidates] = [randomMatrix(rng, 3, 4, 0.5), randomMatrix(rng, 6, 4, 0.5)];
    const extra = unitRows(randomMatrix(rng, 2, 4));
    const rule: LogitRule = { tau: 0.3, anchorLabels: [0, 1, 0], candidateLabels: [0, 1, 0, 2, 1, 0], selfOffset: 2, extra };
    for (const head of ['crossEntropy', 'nce'] as const) {
      const loss = (a: tf.Tensor2D, c: tf.Tensor2D) =>
        tf.tidy(() => {
          const logits = contrastiveLogits(a, c, optionsOf(rule, tf.tensor2d(extra)));
          return head === 'crossEntropy' ? softmaxCrossEntropy(logits) : binaryNce(logits);
        });
      const [ta, tc] = [tf.tensor2d(anchors), tf.tensor2d(candidates)];
      const [ga, gc] = tf.grads((a, c) => loss(a as tf.Tensor2D, c as tf.Tensor2D))([ta, tc]);
      expectClose(ga.dataSync(), numericGradient((x) => refLogitObjectives(x, candidates, rule)[head], anchors).flat(), 1e-2, 2e-4);
      expectClose(gc.dataSync(), numericGradient((x) => refLogitObjectives(anchors, x, rule)[head], candidates).flat(), 1e-2, 2e-4);
      tf.dispose([ta, tc, ga, gc]);
    }
  });

  it('logs top-1 = 1 and a NaN negative cosine when an anchor has no negative (an empty MoCo queue)', () => {
    const u = unitRows([[1, 0.5], [0.2, 1]]);
    const got = evaluate(u, u, { tau: 0.07, anchorLabels: [0, 1], candidateLabels: [0, 1], batchNegatives: false });
    expect(got.crossEntropy).toBe(0);
    expect(got.stats[0]).toBe(1);
    expectClose([got.stats[1]], [1]);
    expect(got.stats[2]).toBeNaN();
  });

  it('rejects mismatched shapes, labels and a bad temperature', () => {
    const [a, c] = [tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([4, 3]) as tf.Tensor2D];
    const labels = { anchorLabels: new Int32Array(2), candidateLabels: new Int32Array(4) };
    expect(() => contrastiveLogits(a, tf.zeros([4, 2]) as tf.Tensor2D, { temperature: 1, ...labels })).toThrow(/candidates \[C ≥ 1, D\]/);
    expect(() => contrastiveLogits(a, c, { temperature: 1, anchorLabels: new Int32Array(3), candidateLabels: new Int32Array(4) })).toThrow(/labels/);
    expect(() => contrastiveLogits(a, c, { temperature: 0, ...labels })).toThrow(/temperature/);
    expect(() => contrastiveLogits(a, c, { temperature: 1, ...labels, selfOffset: 3 })).toThrow(/not among the 4 candidates/);
    tf.dispose([a, c]);
  });
});

describe('pairMasks', () => {
  it('marks self, positives by label and negatives (or leaves them out without batch negatives)', () => {
    const anchorLabels = Int32Array.from([0, 1]);
    const candidateLabels = Int32Array.from([1, 0, 1, 0]);
    const read = (m: ReturnType<typeof pairMasks>) => {
      const out = [m.positive, m.negative, m.excluded].map((t) => t.arraySync());
      tf.dispose([m.positive, m.negative, m.excluded]);
      return out;
    };
    expect(read(pairMasks({ anchorLabels, candidateLabels, selfOffset: 1 }))).toEqual([
      [[0, 0, 0, 1], [1, 0, 0, 0]],
      [[1, 0, 1, 0], [0, 1, 0, 1]],
      [[0, 1, 0, 0], [0, 0, 1, 0]],
    ]);
    expect(read(pairMasks({ anchorLabels, candidateLabels, batchNegatives: false }))).toEqual([
      [[0, 1, 0, 1], [1, 0, 1, 0]],
      [[0, 0, 0, 0], [0, 0, 0, 0]],
      [[1, 0, 1, 0], [0, 1, 0, 1]],
    ]);
  });

  it('left-out columns hold MASKED_LOGIT, whose exp and softplus are 0 in float32', () => {
    const t = tf.tensor1d([MASKED_LOGIT]);
    const [e, s] = [tf.exp(t), tf.softplus(t)];
    expect([e.dataSync()[0], s.dataSync()[0]]).toEqual([0, 0]);
    tf.dispose([t, e, s]);
  });
});
