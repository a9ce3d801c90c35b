/**
 * Real `simclr pretrain` processes, stopped by signals at awkward moments and resumed: the run
 * must end exactly where an uninterrupted one from the same state ends.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTensorMap } from '../../src/io/modelStore.js';
import { readEvents } from '../../src/io/tensorboard/eventReader.js';
import { makeTinyImageFolder, tempDir } from '../pipelines/tinyData.js';
import { loggedSteps, runCli, startCli, TINY_FLAGS, waitFor } from './helpers.js';

const STEPS = 10;
const EVERY = 2;
let root: string;
let data: string;

beforeAll(async () => {
  root = await tempDir('simclr-kill-');
  data = await makeTinyImageFolder(path.join(root, 'data'), 2, 8);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const args = (out: string, resume = false) => ['pretrain', '--data', data, '--out', out, ...TINY_FLAGS, '--steps', String(STEPS), '--checkpoint-every', String(EVERY), ...(resume ? ['--resume'] : [])];
const checkpointStep = (dir: string): number => JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')).step;
const metrics = (out: string) => path.join(out, 'metrics.jsonl');

function tensorBoardLossSteps(out: string): number[] {
  return fs
    .readdirSync(out)
    .filter((f) => f.startsWith('events.out.tfevents.'))
    .flatMap((f) => readEvents(path.join(out, f)).filter((e) => 'train/loss' in e.scalars).map((e) => e.step))
    .sort((a, b) => a - b);
}

async function finish(out: string): Promise<void> {
  const { code, stdout, stderr } = await runCli(args(out, true));
  expect(code, stderr).toBe(0);
  expect(stdout).toContain(`done: step ${STEPS}/${STEPS}`);
  const all = Array.from({ length: STEPS }, (_, i) => i + 1);
  expect(loggedSteps(metrics(out))).toEqual(all);
  expect(tensorBoardLossSteps(out)).toEqual(all);
  expect(checkpointStep(path.join(out, 'checkpoint'))).toBe(STEPS);
  expect(fs.existsSync(path.join(out, 'encoder', 'model.json'))).toBe(true);
}

/** Start a resume (or a fresh run), wait for `ready`, send `signal`; returns the exit. */
async function interrupt(out: string, resume: boolean, ready: () => boolean, signal: NodeJS.Signals, env: Record<string, string> = {}) {
  const run = startCli(args(out, resume), env);
  let exited = false;
  void run.done.then(() => (exited = true));
  await waitFor(`a moment to send ${signal}`, () => ready() || exited, 60_000);
  expect(exited, 'the run ended before it could be interrupted').toBe(false);
  run.child.kill(signal);
  return run.done;
}

describe('kill and resume (real processes, wasm, tiny model)', () => {
  it('SIGTERM/SIGINT checkpoint and exit 143/130; SIGKILL mid-step and mid-swap lose at most one interval; the resumed run equals an uninterrupted one', async () => {
    const killed = path.join(root, 'killed');
    const reference = path.join(root, 'reference');

    // SIGTERM: the step in flight finishes, a checkpoint of it is written, exit code 143.
    const term = await interrupt(killed, false, () => loggedSteps(metrics(killed)).length >= 2, 'SIGTERM');
    expect(term.code, term.stderr).toBe(143);
    expect(term.stdout).toMatch(/^stopped: step \d+\/10/);
    const s = checkpointStep(path.join(killed, 'checkpoint'));
    expect(s).toBe(Math.max(...loggedSteps(metrics(killed))));
    // From this common state, one copy is interrupted every way we can, the other not.
    fs.cpSync(killed, reference, { recursive: true });

    // SIGKILL during a step, after a later checkpoint exists.
    const cp = path.join(killed, 'checkpoint');
    const midStep = await interrupt(killed, true, () => {
      const logged = loggedSteps(metrics(killed));
      return fs.existsSync(path.join(cp, 'meta.json')) && checkpointStep(cp) > s && Math.max(...logged) > checkpointStep(cp);
    }, 'SIGKILL');
    expect(midStep.signal).toBe('SIGKILL');
    const lost = Math.max(...loggedSteps(metrics(killed))) - checkpointStep(cp);
    expect(lost).toBeGreaterThan(0);
    expect(lost).toBeLessThanOrEqual(EVERY);

    // SIGKILL between the two renames of a checkpoint swap (window widened by the test hook):
    // only checkpoint.old-<pid> is left, and the resume must restore it.
    const before = checkpointStep(cp);
    const oldSibling = () => fs.readdirSync(killed).find((f) => f.startsWith('checkpoint.old-'));
    const midSwap = await interrupt(killed, true, () => oldSibling() !== undefined, 'SIGKILL', { SIMCLR_TEST_SWAP_DELAY_MS: '5000' });
    expect(midSwap.signal).toBe('SIGKILL');
    expect(fs.existsSync(cp)).toBe(false);
    expect(checkpointStep(path.join(killed, oldSibling()!))).toBe(before);
    expect(Math.max(...loggedSteps(metrics(killed))) - before).toBeLessThanOrEqual(EVERY);

    await finish(killed);
    expect(fs.readdirSync(killed).filter((f) => f.includes('checkpoint.') || f.startsWith('.checkpoint'))).toEqual([]);

    // The reference: SIGINT once (exit 130, checkpoint at that step), then straight to the end.
    const int = await interrupt(reference, true, () => Math.max(0, ...loggedSteps(metrics(reference))) >= s + 1, 'SIGINT');
    expect(int.code, int.stderr).toBe(130);
    expect(checkpointStep(path.join(reference, 'checkpoint'))).toBe(Math.max(...loggedSteps(metrics(reference))));
    await finish(reference);

    // Same weights, BN statistics and optimizer state: nothing was lost or replayed twice.
    const a = await loadTensorMap(path.join(killed, 'checkpoint'));
    const b = await loadTensorMap(path.join(reference, 'checkpoint'));
    expect(Object.keys(a.tensors).sort()).toEqual(Object.keys(b.tensors).sort());
    expect(Object.keys(a.tensors).some((k) => k.startsWith('optimizer/'))).toBe(true);
    for (const [name, t] of Object.entries(a.tensors)) {
      expect(Array.from(t.dataSync()), name).toEqual(Array.from(b.tensors[name].dataSync()));
    }
    expect((a.meta as { optimizerScalars: unknown }).optimizerScalars).toEqual((b.meta as { optimizerScalars: unknown }).optimizerScalars);
    for (const t of [...Object.values(a.tensors), ...Object.values(b.tensors)]) t.dispose();
  }, 300_000); // ~25 s on an idle machine, six process starts: slack for a loaded one
});
