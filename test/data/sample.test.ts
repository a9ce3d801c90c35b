import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DEBIAN_FASHION_MNIST_DIR, FASHION_MNIST_CLASSES } from '../../src/data/fashionMnist.js';
import { readIdx } from '../../src/data/idx.js';

const SAMPLE = path.resolve('data/sample');
const PER_CLASS = { train: 200, test: 100 };

describe('bundled sample (data/sample)', () => {
  it('holds 200 train and 100 test PNGs for each of the 10 classes', async () => {
    for (const [split, n] of Object.entries(PER_CLASS)) {
      expect((await readdir(path.join(SAMPLE, split))).sort()).toEqual([...FASHION_MNIST_CLASSES].sort());
      for (const cls of FASHION_MNIST_CLASSES) {
        const files = await readdir(path.join(SAMPLE, split, cls));
        expect(files.filter((f) => /^\d{4,5}\.png$/.test(f)), `${split}/${cls}`).toHaveLength(n);
      }
    }
  });

  it.runIf(existsSync(DEBIAN_FASHION_MNIST_DIR))('is the first N of each class, pixel for pixel, from the IDX files', async () => {
    const images = await readIdx(path.join(DEBIAN_FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'));
    const labels = await readIdx(path.join(DEBIAN_FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz'));
    // Expected test names for class 'bag' (label 8), by a plain walk over the labels.
    const bag: number[] = [];
    for (let i = 0; i < labels.data.length && bag.length < PER_CLASS.test; i++) if (labels.data[i] === 8) bag.push(i);
    const names = bag.map((i) => `${String(i).padStart(4, '0')}.png`); // 10,000 test images: 4 digits
    expect((await readdir(path.join(SAMPLE, 'test', 'bag'))).sort()).toEqual(names);

    const i = bag[7];
    const file = path.join(SAMPLE, 'test', 'bag', names[7]);
    const { data } = await sharp(file).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect(Array.from(data)).toEqual(Array.from(images.data.subarray(i * 784, (i + 1) * 784)));
  });
});
