import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { onednnAvailable } from './onednnHelpers.js';

describe.skipIf(!onednnAvailable('select.onednn.test.ts'))('selectBackend with the oneDNN addon built', () => {
  it('auto picks onednn (no native tfjs package installed) on every core (or OMP_NUM_THREADS)', async () => {
    const info = await selectBackend('auto', { quiet: true });
    expect(info).toMatchObject({ requested: 'auto', active: 'onednn', threads: Number(process.env.OMP_NUM_THREADS) || availableParallelism() });
    expect(info.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(tf.getBackend()).toBe('onednn');
  });

  it('takes a thread count and records it', async () => {
    expect((await selectBackend('onednn', { threads: 1 })).threads).toBe(1);
    expect((await selectBackend('onednn', { threads: 2 })).threads).toBe(2);
  });

  it('refuses a bad thread count in one line', async () => {
    const err = await selectBackend('onednn', { threads: 0 }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^backend 'onednn' failed to initialise: threads must be an integer/);
    expect((err as Error).message).not.toContain('\n');
  });

  it('switches between onednn and the other backends, with tensors surviving the switch', async () => {
    await selectBackend('onednn');
    const t = tf.tensor([1, -2, 3]);
    await selectBackend('wasm');
    expect(Array.from(await tf.relu(t).data())).toEqual([1, 0, 3]);
    await selectBackend('onednn');
    expect(Array.from(await tf.relu(t).data())).toEqual([1, 0, 3]);
    t.dispose();
  });
});
