import type { ViewSource } from '../../augment/source.js';
import { Rng } from '../../augment/rng.js';

/** A SharedArrayBuffer-backed memory source of random images. */
export function memorySource(count: number, size: number, seed = 1): Extract<ViewSource, { kind: 'memory' }> {
  const pixels = new Uint8Array(new SharedArrayBuffer(count * size * size * 3));
  const rng = new Rng(seed);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.int(256);
  return { kind: 'memory', size, count, pixels };
}
