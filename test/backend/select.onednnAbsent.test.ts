import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, vi } from 'vitest';
import { BackendError, selectBackend } from '../../src/backend/select.js';

// A machine without oneDNN: the addon module reports it unbuilt, as it does when
// native/build/Release/onednn.node is absent.
vi.mock('../../src/backend/onednn/addon.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/backend/onednn/addon.js')>();
  const absent = new Error(`the oneDNN addon is not built: ${real.ONEDNN_INSTALL_HINT}`);
  return { ...real, addonPath: () => undefined, loadAddon: () => absent, addonAvailable: () => false };
});

describe('selectBackend without the oneDNN addon', () => {
  it('--backend onednn is one line naming apt-get, brew and npm rebuild', async () => {
    const err = await selectBackend('onednn').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as BackendError).reason).toBe('not-installed');
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    for (const part of ['apt-get install libdnnl-dev', 'brew install onednn', 'npm rebuild']) expect(message).toContain(part);
  });

  it('auto moves on to wasm silently', async () => {
    const warn = vi.spyOn(console, 'warn');
    const info = await selectBackend('auto');
    expect(info.active).toBe('wasm');
    expect(info.note ?? '').not.toContain('onednn');
    expect(warn).not.toHaveBeenCalled();
    expect(tf.getBackend()).toBe('wasm');
  });
});
