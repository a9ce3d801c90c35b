import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildCli } from '../../pipelines/cli.js';
import { labelsForPaths } from '../../src/data/pathLabels.js';
import { contrastiveLoss } from '../../src/losses/contrastive.js';
import { batchLabels, contrastiveStep, tripletStep } from '../../src/train/steps/pairLossStep.js';
import { tempDir } from '../pipelines/tinyData.js';
import { B, plainSgd, tinyModel, useWasm, viewsFor } from './stepsFixtures.js';

let root: string;
beforeAll(async () => {
  await useWasm();
  root = await tempDir('simclr-labels-');
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('labelsForPaths (--labels ImageFolder → class of each training image)', () => {
  it('numbers classes by sorted folder name, whatever the depth inside a class', () => {
    const paths = [path.join(root, 'b', '1.png'), path.join(root, 'a', 'deep', '2.png'), path.join(root, 'b', '3.png'), path.join(root, 'c', '4.png')];
    const { labels, classNames } = labelsForPaths(root, paths);
    expect(classNames).toEqual(['a', 'b', 'c']);
    expect(Array.from(labels)).toEqual([1, 0, 1, 2]);
  });

  it('rejects images without a class, a single class, and a missing folder with one line', () => {
    const inClass = path.join(root, 'a', '1.png');
    expect(() => labelsForPaths(root, [inClass, path.join(root, 'loose.png')])).toThrow(/loose.png is not inside a class folder/);
    expect(() => labelsForPaths(root, [inClass, '/elsewhere/x/2.png'])).toThrow(/2.png is not inside a class folder/);
    expect(() => labelsForPaths(root, [inClass, path.join(root, 'a', '2.png')])).toThrow(/1 class\(es\)/);
    expect(() => labelsForPaths(path.join(root, 'missing'), [inClass])).toThrow(/is not a readable folder/);
  });
});

describe('labelled pair steps', () => {
  const labels = Int32Array.from({ length: 2 * B }, (_, i) => i % 2);

  it('batchLabels looks up the step images’ classes, and needs the context', () => {
    expect(Array.from(batchLabels(labels, { step: 0, imageIndices: [3, 0, 5, 2] }))).toEqual([1, 0, 1, 0]);
    expect(() => batchLabels(labels, undefined)).toThrow(/need the step context/);
    expect(() => batchLabels(labels, { step: 4, imageIndices: [0, 16] })).toThrow(/step 4: image index 16 has no label/);
  });

  it('triplet: every same-class view is a positive (mined triplet counts)', async () => {
    const { model, optimizer } = tinyModel(plainSgd());
    const count = async (step: ReturnType<typeof tripletStep>, imageIndices: number[]) => {
      const views = viewsFor(0);
      const outcome = await step.run(views, 0.01, { step: 0, imageIndices });
      views.dispose();
      return outcome.stats.triplets;
    };
    const options = { mining: 'semi-hard' as const, distance: 'euclidean' as const };
    const mixed = Array.from({ length: B }, (_, i) => i); // classes 0,1,0,1,…: 4 images (8 views) each
    // Semi-hard mining gives one triplet per ordered (anchor, positive): 2B anchors × 7 positives.
    expect(await count(tripletStep(model, optimizer, { ...options, labels }), mixed)).toBe(2 * B * 7);
    const allEven = mixed.map((i) => 2 * i); // all class 0: no negative, no triplet
    expect(await count(tripletStep(model, optimizer, { ...options, labels }), allEven)).toBe(0);
    // Self-supervised: the other view is the only positive.
    expect(await count(tripletStep(model, optimizer, options), mixed)).toBe(2 * B);
    model.dispose();
  });

  it('contrastive: the step’s loss is the loss with the looked-up labels', async () => {
    const { model, optimizer } = tinyModel(plainSgd());
    const imageIndices = [3, 0, 5, 2, 9, 8, 11, 14];
    const views = viewsFor(1);
    // Training-mode BN: the step's forward pass sees the same batch statistics as this one.
    const [z1, z2] = tf.tidy(() => tf.split(model.project(views, true), 2, 0) as [tf.Tensor2D, tf.Tensor2D]);
    const expected = tf.tidy(() => contrastiveLoss(z1, z2, { labels: Int32Array.from([1, 0, 1, 0, 1, 0, 1, 0]) }).dataSync()[0]);
    const selfSupervised = tf.tidy(() => contrastiveLoss(z1, z2).dataSync()[0]);
    const outcome = await contrastiveStep(model, optimizer, { labels }).run(views, 0.01, { step: 1, imageIndices });
    expect(outcome.loss).toBeCloseTo(expected, 5);
    expect(Math.abs(outcome.loss - selfSupervised)).toBeGreaterThan(1e-3);
    tf.dispose([views, z1, z2]);
    model.dispose();
  });
});

describe('simclr pretrain rejects loss options that do not fit --loss', () => {
  async function error(argv: string[]): Promise<string> {
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await buildCli(['pretrain', '--data', path.join(root, 'missing'), '--out', path.join(root, 'never'), ...argv]).parseAsync();
      return '';
    } catch (err) {
      return (err as Error).message;
    } finally {
      quiet.mockRestore();
    }
  }

  it.each([
    [['--labels', 'x'], /--labels \(same-class positives\) needs --loss triplet, ranking, contrastive or supcon, got ntxent/],
    [['--loss', 'moco', '--margin', '0.3'], /--margin needs --loss triplet, ranking or contrastive, got moco/],
    [['--loss', 'triplet', '--temperature', '0.1'], /--temperature has no meaning with --loss triplet/],
    [['--loss', 'contrastive', '--margin', '0'], /--margin must be a positive number, got 0/],
    [['--loss', 'moco', '--queue-size', '0'], /--queue-size must be a positive integer, got 0/],
    [['--loss', 'moco', '--moco-momentum', '1.5'], /--moco-momentum must be in \[0, 1\], got 1.5/],
    // No temperature is filled in for triplet when none is given: the check after it is reached.
    [['--loss', 'triplet', '--queue-size', '-1'], /--queue-size must be a positive integer, got -1/],
  ])('%j', async (argv, message) => {
    const text = await error(argv);
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
  });

  it('lists the objectives for an unknown --loss', async () => {
    expect(await error(['--loss', 'simsiam'])).toMatch(/Invalid values[\s\S]*Choices: "ntxent", "infonce", "moco", "triplet", "ranking", "contrastive", "nce"/);
  });
});
