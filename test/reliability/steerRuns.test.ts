/**
 * Steering a run through the real CLI and real processes: evaluation while pretraining does not
 * change training, a finished run can be made longer, a warm start checks shapes, and one
 * process at a time writes a run directory (a SIGKILLed writer's lock is taken over).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvents } from '../../src/io/tensorboard/eventReader.js';
import { LOCK_FILE } from '../../src/run/writerLock.js';
import { makeTinyImageFolder, tempDir } from '../pipelines/tinyData.js';
import { loggedSteps, runCli, startCli, TINY_FLAGS, waitFor } from './helpers.js';

let root: string;
let data: string;

beforeAll(async () => {
  root = await tempDir('simclr-steer-');
  data = await makeTinyImageFolder(path.join(root, 'data'), 2, 8);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const pretrain = (out: string, ...extra: string[]) => ['pretrain', '--data', data, '--out', out, ...TINY_FLAGS, ...extra];
const records = (out: string) =>
  fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, number>);
const config = (out: string) => JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));

describe('runs a user can steer', () => {
  it('evaluates while pretraining without changing the losses; figures reach metrics.jsonl and TensorBoard', async () => {
    const plain = path.join(root, 'plain');
    const evaluated = path.join(root, 'evaluated');
    const a = await runCli(pretrain(plain, '--steps', '4'));
    const b = await runCli(pretrain(evaluated, '--steps', '4', '--eval-train', data, '--eval-test', data, '--eval-every', '2', '--eval-linear'));
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(records(evaluated).map((r) => r.loss)).toEqual(records(plain).map((r) => r.loss));
    const scored = records(evaluated).filter((r) => 'eval/knn_top1' in r);
    expect(scored.map((r) => r.step)).toEqual([2, 4]);
    for (const r of scored) {
      for (const key of ['eval/knn_top1', 'eval/linear_top1']) {
        expect(r[key]).toBeGreaterThanOrEqual(0);
        expect(r[key]).toBeLessThanOrEqual(1);
      }
      expect(r['eval/seconds']).toBeGreaterThan(0);
    }
    const eventFile = fs.readdirSync(evaluated).find((f) => f.startsWith('events.out.tfevents'))!;
    const tags = readEvents(path.join(evaluated, eventFile)).flatMap((e) => Object.keys(e.scalars).map((tag) => `${tag}@${e.step}`));
    expect(tags).toEqual(expect.arrayContaining(['eval/knn_top1@2', 'eval/knn_top1@4', 'eval/linear_top1@4']));
    expect(b.stderr).toMatch(/knn_top1 \d+\.\d%/);
  }, 120_000);

  it('makes a finished run longer: the step count continues, the schedule is recomputed and the change recorded; shorter than done is an error', async () => {
    const out = path.join(root, 'extend');
    expect((await runCli(pretrain(out, '--steps', '3'))).code).toBe(0);
    const longer = await runCli(pretrain(out, '--resume', '--steps', '5'));
    expect(longer.code, longer.stderr).toBe(0);
    expect(longer.stdout).toContain('done: step 5/5');
    expect(loggedSteps(path.join(out, 'metrics.jsonl'))).toEqual([1, 2, 3, 4, 5]);
    const c = config(out);
    expect(c.options.steps).toBe(5);
    expect(c.schedule.totalSteps).toBe(5);
    expect(c.extensions).toEqual([expect.objectContaining({ atStep: 3, fromSteps: 3, toSteps: 5 })]);
    // Steps 4 and 5 trained on the new cosine schedule (warm-up 0): lr at step s is peak·½(1 + cos(π s / 5)).
    const peak = c.schedule.peakLr as number;
    for (const r of records(out).filter((r) => r.step > 3)) expect(r.lr).toBeCloseTo((peak * (1 + Math.cos((Math.PI * (r.step - 1)) / 5))) / 2, 6);

    const shorter = await runCli(pretrain(out, '--resume', '--steps', '2'));
    expect(shorter.code).toBe(1);
    expect(shorter.stderr.trim()).toMatch(/^simclr: --resume: .* has done 5 steps, more than the 2 asked for/);
  }, 120_000);

  it('warm-starts from a run (encoder and head), and a mismatched encoder is one clear error', async () => {
    const source = path.join(root, 'extend');
    const warm = await runCli(pretrain(path.join(root, 'warm'), '--steps', '1', '--init-from', source));
    expect(warm.code, warm.stderr).toBe(0);
    expect(warm.stderr).toMatch(/init: weights from .*extend \(checkpoint at step 5: encoder and head\)/);
    expect(config(path.join(root, 'warm')).options.initFrom).toBe(source);

    const wider = pretrain(path.join(root, 'wide'), '--steps', '1', '--init-from', source).map((f, i, all) => (all[i - 1] === '--width' ? '0.25' : f));
    const wide = await runCli(wider);
    expect(wide.code).toBe(1);
    const lines = wide.stderr.split('\n').filter((l) => l.startsWith('simclr: '));
    expect(lines).toEqual([expect.stringMatching(/^simclr: --init-from .*: .*weight encoder\/conv_1\/kernel has shape \[3,3,3,8\], the model expects \[3,3,3,16\]/)]);
  }, 120_000);

  it('refuses a second writer while a run is live, and resumes after SIGKILL with the dead writer’s lock in place', async () => {
    const out = path.join(root, 'locked');
    const first = startCli(pretrain(out, '--steps', '400', '--checkpoint-every', '2'));
    await waitFor('a checkpoint', () => fs.existsSync(path.join(out, 'checkpoint', 'meta.json')), 60_000);
    const holder = JSON.parse(fs.readFileSync(path.join(out, LOCK_FILE), 'utf8'));
    expect(holder.pid).toBe(first.child.pid);

    for (const extra of [['--resume'], ['--force']]) {
      const second = await runCli(pretrain(out, ...extra));
      expect(second.code).toBe(1);
      expect(second.stderr.trim()).toBe(`simclr: ${out} is being written by process ${holder.pid} on ${holder.host} (since ${holder.startedAt}): stop it first, or use another --out`);
    }

    first.child.kill('SIGKILL');
    await first.done;
    expect(fs.existsSync(path.join(out, LOCK_FILE))).toBe(true); // left behind by the killed writer
    const done = Math.max(...loggedSteps(path.join(out, 'metrics.jsonl')));
    const resumed = await runCli(pretrain(out, '--resume', '--steps', String(done + 2)));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`done: step ${done + 2}/${done + 2}`);
    expect(fs.existsSync(path.join(out, LOCK_FILE))).toBe(false); // released at the end
  }, 180_000);
});
