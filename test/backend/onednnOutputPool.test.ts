import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAddon, registerOnednnBackend, type OnednnAddon } from '../../src/backend/onednn/index.js';
import { POOL_MIN_FLOATS } from '../../src/backend/onednn/outputPool.js';
import { onednnAvailable } from './onednnHelpers.js';

const N = 4 * POOL_MIN_FLOATS;

describe.skipIf(!onednnAvailable('onednnOutputPool.test.ts'))('onednn output buffers', () => {
  let addon: OnednnAddon;
  beforeAll(async () => {
    registerOnednnBackend();
    addon = loadAddon() as OnednnAddon;
    await tf.setBackend('onednn');
  });

  const ramp = () => tf.tensor1d(Float32Array.from({ length: N }, (_, i) => i - N / 2));

  it('a disposed output that nothing else can reach goes back to the pool at once, and is reused', () => {
    const x = ramp();
    const y = tf.relu(x);
    const before = addon.poolStats();
    y.dispose();
    const released = addon.poolStats();
    expect(released.pooledBytes - before.pooledBytes).toBeGreaterThanOrEqual(4 * N);
    const z = tf.relu(x); // same size: takes the block back
    expect(addon.poolStats().pooledBytes).toBe(before.pooledBytes);
    expect(z.dataSync()[N - 1]).toBe(N / 2 - 1);
    tf.dispose([x, z]);
  });

  it('an output read out with dataSync keeps its values after disposal and reuse', () => {
    const x = ramp();
    const y = tf.relu(x);
    const values = y.dataSync();
    y.dispose();
    const other = tf.relu(tf.neg(x)); // would take y's block if it had been released
    expect(values[0]).toBe(0);
    expect(values[N - 1]).toBe(N / 2 - 1);
    expect(other.dataSync()[0]).toBe(N / 2);
    tf.dispose([x, other]);
  });

  it('a slice sharing an output\'s buffer keeps its values after the output is disposed', () => {
    const x = ramp();
    const y = tf.relu(x);
    const tail = tf.slice(y, [N / 2], [N / 2]);
    y.dispose();
    const other = tf.relu(tf.neg(x));
    const v = tail.dataSync();
    expect(v[0]).toBe(0);
    expect(v[N / 2 - 1]).toBe(N / 2 - 1);
    tf.dispose([x, tail, other]);
  });

  it('a reshaped output (same data) is released only when the last tensor on it is disposed', () => {
    const x = ramp();
    const y = tf.relu(x);
    const r = tf.reshape(y, [N / 4, 4]);
    y.dispose();
    const other = tf.relu(tf.neg(x));
    expect(r.dataSync()[N - 1]).toBe(N / 2 - 1);
    tf.dispose([x, r, other]);
  });
});
