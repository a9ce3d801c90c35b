import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { addonAvailable } from '../../src/backend/onednn/index.js';
import { BackendError, selectBackend, type BackendName } from '../../src/backend/select.js';

// Neither native package is installed in this repository (they are optional peer dependencies).
describe('selectBackend', () => {
  it('names the install command when tfjs-node is asked for but absent', async () => {
    const err = await selectBackend('tensorflow').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as BackendError).reason).toBe('not-installed');
    expect((err as Error).message).toContain('npm install @tensorflow/tfjs-node');
    expect((err as Error).message).not.toContain('\n');
  });

  it('names the install command when tfjs-node-gpu is asked for but absent', async () => {
    const err = await selectBackend('tensorflow-gpu').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).message).toContain('npm install @tensorflow/tfjs-node-gpu');
  });

  it('rejects an unknown name', async () => {
    await expect(selectBackend('webgpu' as BackendName)).rejects.toThrow(/unknown backend 'webgpu'/);
  });

  // Where the oneDNN addon is built, auto stops at it (select.onednn.test.ts); otherwise at wasm.
  it.skipIf(addonAvailable())('auto falls through the absent native backends to wasm, with training kernels', async () => {
    const info = await selectBackend('auto', { quiet: true });
    expect(info).toMatchObject({ requested: 'auto', active: 'wasm', package: '@tensorflow/tfjs-backend-wasm' });
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.threads).toBe(1);
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('selects cpu explicitly and is repeatable', async () => {
    expect((await selectBackend('cpu')).active).toBe('cpu');
    expect((await selectBackend('wasm')).active).toBe('wasm');
    expect((await selectBackend('wasm')).active).toBe('wasm');
  });
});
