import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRETRAIN_DEFAULTS } from '../../src/config/pretrainOptions.js';
import { createTrainStep } from '../../src/objectives/registry.js';
import { defaultsText, lossesTaking, lossTemperature, validateLossOptions, withLossDefaults } from '../../src/objectives/lossOptions.js';
import { LOSS_NAMES, type LossName, OBJECTIVES } from '../../src/objectives/registry.js';
import { infoNceStep, nceStep } from '../../src/train/steps/logitSteps.js';
import { mocoStep } from '../../src/train/steps/mocoStep.js';
import { ntXentStep } from '../../src/train/steps/ntXentStep.js';
import type { TrainStep } from '../../src/train/steps/trainStep.js';
import { B, plainSgd, tinyModel, useWasm, viewsFor } from '../train/stepsFixtures.js';

beforeAll(useWasm);
afterAll(() => tf.disposeVariables());

const options = (loss: LossName, extra: Partial<typeof PRETRAIN_DEFAULTS> = {}) => ({ ...PRETRAIN_DEFAULTS, batchSize: B, queueSize: 12, loss, ...extra });
const context = { step: 0, imageIndices: Array.from({ length: B }, (_, i) => i) };
/** Classes of the B images for the objectives that need labels (supcon): two images per class. */
const labelsFor = (loss: LossName) => (loss === 'supcon' ? Int32Array.from({ length: B }, (_, i) => i >> 1) : undefined);

/** Loss and stats of one step from the same fresh model and views. */
async function firstStep(make: (m: ReturnType<typeof tinyModel>) => TrainStep): Promise<{ name: string; loss: number; stats: Record<string, number> }> {
  const parts = tinyModel(plainSgd());
  const step = make(parts);
  const views = viewsFor(0);
  const outcome = await step.run(views, 0.1, context);
  views.dispose();
  step.dispose?.();
  parts.model.dispose();
  return { name: step.name, loss: outcome.loss, stats: outcome.stats };
}

describe('the objective registry', () => {
  it('lists the --loss choices in registry order', () => {
    expect(LOSS_NAMES).toEqual(['ntxent', 'infonce', 'moco', 'triplet', 'ranking', 'contrastive', 'nce', 'supcon']);
  });

  it.each(LOSS_NAMES)('%s: createTrainStep builds the step of that name, which logs exactly the declared statistics', async (loss) => {
    const before = tf.memory().numTensors;
    const { name, stats } = await firstStep(({ model, optimizer }) => createTrainStep(options(loss), model, optimizer, { labels: labelsFor(loss) }));
    expect(name).toBe(loss);
    expect(Object.keys(stats)).toEqual([...OBJECTIVES[loss].stats]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    ['ntxent', 0.5, (m, o, tau) => ntXentStep(m, o, tau)],
    ['infonce', 0.07, (m, o, tau) => infoNceStep(m, o, tau)],
    ['nce', 0.07, (m, o, tau) => nceStep(m, o, tau)],
    ['moco', 0.07, (m, o, tau) => mocoStep(m, o, { temperature: tau, queueSize: 12, momentum: PRETRAIN_DEFAULTS.mocoMomentum })],
  ] as [LossName, number, (m: ReturnType<typeof tinyModel>['model'], o: ReturnType<typeof tinyModel>['optimizer'], tau: number) => TrainStep][])(
    '%s: without --temperature the step uses the paper τ %f, with it the given one',
    async (loss, paperTau, direct) => {
      expect(lossTemperature({ loss })).toBe(paperTau);
      const viaRegistry = await firstStep(({ model, optimizer }) => createTrainStep(options(loss), model, optimizer));
      expect(viaRegistry.loss).toBe((await firstStep(({ model, optimizer }) => direct(model, optimizer, paperTau))).loss);
      const given = await firstStep(({ model, optimizer }) => createTrainStep(options(loss, { temperature: 0.3 }), model, optimizer));
      expect(given.loss).toBe((await firstStep(({ model, optimizer }) => direct(model, optimizer, 0.3))).loss);
    },
  );

  it('fills τ into the recorded options of the logit objectives only', () => {
    const recorded = (o: { loss: LossName; temperature?: number }) => withLossDefaults(o).temperature;
    expect(recorded({ loss: 'infonce' })).toBe(0.07);
    expect(recorded({ loss: 'ntxent', temperature: 0.2 })).toBe(0.2);
    expect(recorded({ loss: 'triplet' })).toBeUndefined();
    expect(() => lossTemperature({ loss: 'contrastive' })).toThrow(/has no temperature/);
  });

  it('derives the option texts and who takes what from the entries', () => {
    expect(defaultsText('temperature')).toBe('0.5 ntxent, 0.07 infonce/moco/nce, 0.1 supcon');
    expect(defaultsText('margin')).toBe('0.2 triplet/ranking, 1 contrastive');
    expect(lossesTaking('labels')).toEqual(['triplet', 'ranking', 'contrastive', 'supcon']);
    expect(lossesTaking('pairs')).toEqual(['ntxent', 'infonce', 'triplet', 'ranking', 'contrastive']);
    expect(lossesTaking('negatives')).toEqual(['ntxent', 'infonce', 'moco']);
    expect(lossesTaking('microBatch')).toEqual(['ntxent']);
  });

  it('refuses options the objective does not take, naming the ones that do', () => {
    const o = (loss: LossName, extra: object) => ({ ...options(loss), ...extra });
    expect(() => validateLossOptions(o('nce', { margin: 0.5 }))).toThrow('--margin needs --loss triplet, ranking or contrastive, got nce');
    expect(() => validateLossOptions(o('infonce', { labels: 'x' }))).toThrow('--labels (same-class positives) needs --loss triplet, ranking, contrastive or supcon, got infonce');
    expect(() => validateLossOptions(o('contrastive', { temperature: 0.1 }))).toThrow('--temperature has no meaning with --loss contrastive (it uses --margin)');
    expect(() => validateLossOptions(o('ntxent' as LossName, { loss: 'simsiam' }))).toThrow('--loss must be one of ntxent, infonce, moco, triplet, ranking, contrastive, nce, supcon, got simsiam');
    expect(() => validateLossOptions(options('supcon'))).toThrow('--loss supcon needs --labels');
    expect(() => validateLossOptions(o('nce', { negatives: 8 }))).toThrow('--negatives (negative sampling) needs --loss ntxent, infonce or moco, got nce');
    expect(() => validateLossOptions(o('ntxent', { negativesAfter: 2 }))).toThrow('--negatives-after needs --negatives K');
    expect(() => validateLossOptions(o('ntxent', { negatives: 8, microBatch: 4, pairs: 'p.csv' }))).not.toThrow();
    expect(() => validateLossOptions(o('triplet', { pairs: 'p.csv', labels: 'x' }))).toThrow('--pairs and --labels both give positives');
    expect(() => validateLossOptions(o('ntxent', { pairsClosure: true }))).toThrow('--pairs-closure needs --pairs <file>');
    for (const loss of LOSS_NAMES) expect(() => validateLossOptions({ ...options(loss), ...(loss === 'supcon' && { labels: 'x' }) })).not.toThrow();
  });
});
