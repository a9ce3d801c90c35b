import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { binaryNce } from '../../src/losses/nce.js';
import { softmaxCrossEntropy } from '../../src/losses/softmaxCrossEntropy.js';
import { viewLogits } from '../../src/losses/contrastiveLogits.js';
import type { SimclrModel } from '../../src/models/simclrModel.js';
import type { Optimizer } from '../../src/optim/optimizer.js';
import { infoNceStep, nceStep } from '../../src/train/steps/logitSteps.js';
import { mocoStep } from '../../src/train/steps/mocoStep.js';
import { contrastiveStep, tripletStep } from '../../src/train/steps/pairLossStep.js';
import type { TrainStep } from '../../src/train/steps/trainStep.js';
import { dot, expectClose, type Matrix, randomMatrix, unitRows } from '../losses/reference.js';
import { B, plainSgd, tinyModel, useWasm, viewsFor } from './stepsFixtures.js';

beforeAll(useWasm);

/** Plain loops over the 2B unit views: per-anchor InfoNCE and NCE terms, and the logged stats. */
function reference(z1: Matrix, z2: Matrix, tau: number, anchors: number) {
  const u = unitRows([...z1, ...z2]);
  const n = z1.length;
  let infoNce = 0;
  let nce = 0;
  let top1 = 0;
  let positiveCosine = 0;
  let negativeCosine = 0;
  for (let i = 0; i < anchors; i++) {
    const p = (i + n) % (2 * n);
    const sp = dot(u[i], u[p]);
    let denominator = Math.exp(sp / tau);
    let best = -Infinity;
    nce += Math.log(1 + Math.exp(-sp / tau)); // −log σ(s⁺/τ)
    for (let k = 0; k < 2 * n; k++) {
      if (k === i || k === p) continue;
      const s = dot(u[i], u[k]);
      denominator += Math.exp(s / tau);
      nce += Math.log(1 + Math.exp(s / tau)); // −log(1 − σ(s⁻/τ))
      negativeCosine += s;
      best = Math.max(best, s);
    }
    infoNce += Math.log(denominator) - sp / tau;
    positiveCosine += sp;
    if (sp > best) top1++;
  }
  return {
    infoNce: infoNce / anchors,
    nce: nce / anchors,
    stats: [top1 / anchors, positiveCosine / anchors, negativeCosine / (anchors * (2 * n - 2))],
  };
}

describe('viewLogits (the InfoNCE / NCE objectives over the batch)', () => {
  it.each([
    { anchors: 5, tau: 0.07 },
    { anchors: 10, tau: 0.5 },
  ])('gives the plain-loop losses and stats with $anchors anchors, τ = $tau', ({ anchors, tau }) => {
    const rng = Rng.derive(3, anchors);
    const [a, b] = [randomMatrix(rng, 5, 4), randomMatrix(rng, 5, 4)];
    const before = tf.memory().numTensors;
    const [z1, z2] = [tf.tensor2d(a), tf.tensor2d(b)];
    const logits = viewLogits(z1, z2, { anchors, temperature: tau });
    const info = softmaxCrossEntropy(logits);
    const nce = binaryNce(logits);
    const ref = reference(a, b, tau, anchors);
    expectClose(info.dataSync(), [ref.infoNce]);
    expectClose(nce.dataSync(), [ref.nce]);
    expectClose(logits.stats.dataSync(), ref.stats);
    tf.dispose([z1, z2, logits, info, nce]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the left-out column (the view itself) gets no gradient', () => {
    const rng = Rng.derive(4);
    const [z1, z2] = [tf.tensor2d(randomMatrix(rng, 3, 4)), tf.tensor2d(randomMatrix(rng, 3, 4))];
    for (const loss of [softmaxCrossEntropy, binaryNce]) {
      const g = tf.grad((offset: tf.Tensor) => {
        const logits = viewLogits(z1, z2, { temperature: 0.07 });
        logits.stats.dispose();
        return loss({ ...logits, logits: logits.logits.add(offset) });
      })(tf.zeros([6, 6]));
      const grad = g.arraySync() as number[][];
      for (let i = 0; i < 6; i++) {
        expect(grad[i][i]).toBe(0);
        expect(grad[i][(i + 3) % 6]).not.toBe(0);
      }
      g.dispose();
    }
    tf.dispose([z1, z2]);
  });
});

/** Labels of the dataset; the steps get image indices 0..B−1 (classes 0,1,0,1,…). */
const labels = Int32Array.from({ length: 2 * B }, (_, i) => i % 2);
const context = (step: number) => ({ step, imageIndices: Array.from({ length: B }, (_, i) => i) });

const objectives: [string, (m: SimclrModel, o: Optimizer) => TrainStep, string[]][] = [
  ['infonce', (m, o) => infoNceStep(m, o, 0.07), ['top1', 'positiveCosine', 'negativeCosine']],
  ['nce', (m, o) => nceStep(m, o, 0.07), ['top1', 'positiveCosine', 'negativeCosine']],
  ['moco', (m, o) => mocoStep(m, o, { temperature: 0.07, queueSize: 12, momentum: 0.99 }), ['top1', 'positiveCosine', 'negativeCosine']],
  ['triplet', (m, o) => tripletStep(m, o, { mining: 'semi-hard', distance: 'euclidean' }), ['easy', 'semiHard', 'hard', 'triplets']],
  ['triplet labelled', (m, o) => tripletStep(m, o, { mining: 'hard', distance: 'cosine', labels }), ['easy', 'semiHard', 'hard', 'triplets']],
  ['contrastive', (m, o) => contrastiveStep(m, o, {}), ['positiveDistance', 'negativeDistance', 'activeNegatives']],
  ['contrastive labelled', (m, o) => contrastiveStep(m, o, { margin: 0.5, labels }), ['positiveDistance', 'negativeDistance', 'activeNegatives']],
];

describe('objective steps train a tiny model on wasm', () => {
  it.each(objectives)('%s: finite loss and stats, weights move, no tensor leaks', async (_, make, statNames) => {
    const baseline = tf.memory().numTensors;
    const { model, optimizer } = tinyModel(plainSgd());
    const step = make(model, optimizer);
    const kernelBefore = model.namedWeights(true)['encoder/conv_1/kernel'].dataSync().slice();
    const counts: number[] = [];
    for (let s = 0; s < 3; s++) {
      const views = viewsFor(s);
      const outcome = await step.run(views, 0.1, context(s));
      views.dispose();
      expect(outcome.finite).toBe(true);
      expect(Number.isFinite(outcome.loss)).toBe(true);
      for (const name of statNames) expect(Number.isFinite(outcome.stats[name]), name).toBe(true);
      counts.push(tf.memory().numTensors);
    }
    const kernelAfter = model.namedWeights(true)['encoder/conv_1/kernel'].dataSync();
    expect(kernelAfter.some((v, i) => v !== kernelBefore[i])).toBe(true);
    // Steady state from step 2 on (MoCo's queue drops its partial-fill view when it fills).
    expect(counts[2]).toBe(counts[1]);
    step.dispose?.();
    optimizer.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });
});

afterAll(() => tf.disposeVariables());
