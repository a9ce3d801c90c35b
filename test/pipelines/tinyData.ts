import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { Rng } from '../../augment/rng.js';
import { PRETRAIN_DEFAULTS, type PretrainOptions } from '../../src/config/pretrainOptions.js';

/** A labelled ImageFolder of small random-pattern PNGs: `root/<class>/<i>.png`. */
export async function makeTinyImageFolder(root: string, classes: number, perClass: number, size = 20, seed = 1): Promise<string> {
  const rng = new Rng(seed);
  for (let c = 0; c < classes; c++) {
    const dir = path.join(root, `class${c}`);
    await fs.mkdir(dir, { recursive: true });
    for (let i = 0; i < perClass; i++) {
      // Each class has its own base colour, each image its own noise: a learnable toy task.
      const pixels = Buffer.alloc(size * size * 3);
      for (let p = 0; p < size * size; p++) {
        for (let ch = 0; ch < 3; ch++) {
          const base = ((c + 1) * (ch + 2) * 47) % 256;
          pixels[p * 3 + ch] = Math.max(0, Math.min(255, base + Math.round(40 * rng.normal())));
        }
      }
      await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).png().toFile(path.join(dir, `${i}.png`));
    }
  }
  return root;
}

export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Pretrain options for a tiny, fast wasm run (ResNet-18 at width 1/8, 16 px, batch 8). */
export function tinyPretrainOptions(data: string, out: string, overrides: Partial<PretrainOptions> = {}): PretrainOptions {
  return {
    ...PRETRAIN_DEFAULTS,
    data,
    out,
    backend: 'wasm',
    backbone: 'resnet18',
    width: 0.125,
    imageSize: 16,
    batchSize: 8,
    projDim: 16,
    steps: 4,
    warmupEpochs: 0,
    logEvery: 1,
    checkpointEvery: 2,
    workers: 0,
    ...overrides,
  };
}
