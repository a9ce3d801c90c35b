import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

export type Rgb = [number, number, number];

export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), `simclr-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function writeSolidPng(file: string, colour: Rgb, width = 12, height = 10): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const [r, g, b] = colour;
  await sharp({ create: { width, height, channels: 3, background: { r, g, b } } }).png().toFile(file);
}

/**
 * A folder with every awkward case the loader must survive. `good` maps each usable file
 * (relative path) to the RGB colour it must decode to; `bad` maps each unusable one to its reason.
 */
export async function makeMessyFolder(root: string): Promise<{ good: Record<string, Rgb>; bad: Record<string, string> }> {
  const good: Record<string, Rgb> = {
    'deep16.png': [10, 20, 30],
    'gray.png': [77, 77, 77],
    'link-to-solid.png': [200, 100, 50],
    'nested/a/b/UPPER.PNG': [0, 255, 0],
    'nested/photo.JPEG': [40, 80, 160],
    // black at alpha 128/255 over white: 255 · (1 − 128/255) = 127
    'rgba.png': [127, 127, 127],
    'solid.png': [200, 100, 50],
    'x.png/inner.png': [1, 2, 3],
  };
  const p = (rel: string) => path.join(root, rel);
  await mkdir(p('nested/a/b'), { recursive: true });
  await mkdir(p('bad'), { recursive: true });

  await writeSolidPng(p('solid.png'), [200, 100, 50], 40, 30);
  await symlink('solid.png', p('link-to-solid.png'));
  await writeSolidPng(p('nested/a/b/UPPER.PNG'), [0, 255, 0]);
  await writeSolidPng(p('x.png/inner.png'), [1, 2, 3]); // a directory named like an image
  await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 40, g: 80, b: 160 } } })
    .jpeg({ quality: 100, chromaSubsampling: '4:4:4' })
    .toFile(p('nested/photo.JPEG'));
  await sharp({ create: { width: 9, height: 9, channels: 3, background: { r: 77, g: 77, b: 77 } } })
    .toColourspace('b-w')
    .png()
    .toFile(p('gray.png'));
  await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 128 / 255 } } })
    .png()
    .toFile(p('rgba.png'));
  await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 10, g: 20, b: 30 } } })
    .toColourspace('rgb16')
    .png()
    .toFile(p('deep16.png'));

  const bad: Record<string, string> = {
    'bad/text.jpg': 'not-an-image',
    'bad/truncated.jpg': 'corrupt',
    'bad/zero.png': 'empty',
    'loopA.png': 'symlink-loop',
    'loopB.png': 'symlink-loop',
    'nested/cycle': 'directory-cycle',
    'notes.txt': 'not-an-image-extension',
  };
  const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: 'black', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .jpeg()
    .toBuffer();
  await writeFile(p('bad/truncated.jpg'), jpeg.subarray(0, jpeg.length >> 1));
  await writeFile(p('bad/zero.png'), Buffer.alloc(0));
  await writeFile(p('bad/text.jpg'), 'this is text, not a JPEG\n');
  await symlink('loopB.png', p('loopA.png'));
  await symlink('loopA.png', p('loopB.png'));
  await symlink('..', p('nested/cycle'));
  await writeFile(p('notes.txt'), 'labels are elsewhere\n');
  await writeSolidPng(p('.hidden.png'), [9, 9, 9]); // hidden: ignored, not counted
  return { good, bad };
}

/** IDX bytes built by hand (magic 0x0000_08_<rank>, big-endian dims, then the data). */
export function idxBytes(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, data]);
}
