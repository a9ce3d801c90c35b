import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CIFAR10_CLASSES, exportCifar10 } from '../../src/data/cifar10.js';
import { tarEntries } from '../../src/data/tar.js';
import { tempDir } from './fixtures.js';

// Tiny batches in the real record layout: label byte, then 1024 R, 1024 G, 1024 B bytes.
const PER_BATCH = { train: 3, test: 4 };
const value = (img: number, channel: number, p: number) => (img * 31 + channel * 101 + p * 7) % 256;
const labelOf = (img: number) => (img * 7) % 10;

function batch(first: number, n: number): Buffer {
  const out = Buffer.alloc(n * 3073);
  for (let k = 0; k < n; k++) {
    const img = first + k;
    out[k * 3073] = labelOf(img);
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) out[k * 3073 + 1 + c * 1024 + p] = value(img, c, p);
  }
  return out;
}

describe('exportCifar10', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let batchesDir: string;
  let archiveDir: string;

  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir('cifar'));
    batchesDir = path.join(root, 'src', 'cifar-10-batches-bin');
    await mkdir(batchesDir, { recursive: true });
    for (let b = 1; b <= 5; b++) await writeFile(path.join(batchesDir, `data_batch_${b}.bin`), batch((b - 1) * PER_BATCH.train, PER_BATCH.train));
    await writeFile(path.join(batchesDir, 'test_batch.bin'), batch(1000, PER_BATCH.test));
    await writeFile(path.join(batchesDir, 'batches.meta.txt'), CIFAR10_CLASSES.join('\n'));
    // The archive is made by GNU tar, independently of the reader under test.
    archiveDir = path.join(root, 'archive');
    await mkdir(archiveDir);
    execFileSync('tar', ['-czf', path.join(archiveDir, 'cifar-10-binary.tar.gz'), '-C', path.join(root, 'src'), 'cifar-10-batches-bin']);
  });
  afterAll(() => cleanup());

  async function checkExport(out: string) {
    const train = 5 * PER_BATCH.train;
    // image 7 is the second record of data_batch_3
    const file = path.join(out, 'train', CIFAR10_CLASSES[labelOf(7)], `${String(7).padStart(String(train - 1).length, '0')}.png`);
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ width: 32, height: 32, channels: 3 });
    for (let p = 0; p < 1024; p++) {
      for (let c = 0; c < 3; c++) if (data[3 * p + c] !== value(7, c, p)) throw new Error(`pixel ${p} channel ${c}: ${data[3 * p + c]}`);
    }
  }

  it('exports from the extracted batches and from the .tar.gz, with identical results', async () => {
    const a = await exportCifar10({ out: path.join(root, 'out-a'), from: path.join(root, 'src') });
    const b = await exportCifar10({ out: path.join(root, 'out-b'), from: archiveDir });
    const perClass = (n: number, offset: number) => CIFAR10_CLASSES.map((_, c) => Array.from({ length: n }, (_, i) => labelOf(offset + i)).filter((l) => l === c).length);
    expect(a.perClass.train).toEqual(perClass(5 * PER_BATCH.train, 0));
    expect(a.perClass.test).toEqual(perClass(PER_BATCH.test, 1000));
    expect(b.perClass).toEqual(a.perClass);
    expect(a.sourceDir).toBe(batchesDir);
    expect(b.sourceDir).toBe(archiveDir);
    await checkExport(path.join(root, 'out-a'));
    await checkExport(path.join(root, 'out-b'));
  });

  it('honours per-class limits', async () => {
    const r = await exportCifar10({ out: path.join(root, 'out-c'), from: archiveDir, limitPerClass: { train: 1, test: 0 } });
    expect(r.perClass.train).toEqual(new Array(10).fill(1));
    expect(r.perClass.test).toEqual(new Array(10).fill(0));
  });

  it('rejects a batch of the wrong length and a folder with neither batches nor archive', async () => {
    const bad = path.join(root, 'bad');
    await mkdir(bad);
    for (let b = 1; b <= 5; b++) await writeFile(path.join(bad, `data_batch_${b}.bin`), batch(0, 1));
    await writeFile(path.join(bad, 'test_batch.bin'), Buffer.alloc(3000));
    await expect(exportCifar10({ out: path.join(root, 'out-d'), from: bad })).rejects.toThrow('CIFAR-10 test batch has 3000 bytes, not a multiple of 3073');
    const empty = path.join(root, 'empty');
    await mkdir(empty);
    await expect(exportCifar10({ out: path.join(root, 'out-e'), from: empty })).rejects.toThrow(`${empty} lacks the CIFAR-10 file(s) cifar-10-binary.tar.gz`);
  });
});

describe('tarEntries', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let archive: Buffer;
  // One path component over ustar's 100-byte name field: no prefix/name split can hold it.
  const longName = `sub/${'n'.repeat(120)}.bin`;
  const longData = Buffer.from('long name');
  const archiveOf = (format: string, ...names: string[]) => {
    const file = path.join(root, `${format}.tar`);
    execFileSync('tar', [`--format=${format}`, '-cf', file, '-C', path.join(root, 'in'), ...names]);
    return readFile(file);
  };

  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir('tar'));
    await mkdir(path.join(root, 'in', 'sub'), { recursive: true });
    await writeFile(path.join(root, 'in', 'a.txt'), 'hello');
    await writeFile(path.join(root, 'in', 'sub', 'b.bin'), Buffer.alloc(700, 7)); // spans two blocks
    await writeFile(path.join(root, 'in', 'empty'), '');
    await writeFile(path.join(root, 'in', longName), longData);
    archive = await archiveOf('ustar', 'a.txt', 'sub/b.bin', 'empty');
  });
  afterAll(() => cleanup());

  it('lists regular files with their contents (directories left out)', async () => {
    const entries = (await tarEntries(archive)).map((e) => [e.name, Buffer.from(e.data).toString('hex')]);
    expect(entries).toEqual([
      ['a.txt', Buffer.from('hello').toString('hex')],
      ['sub/b.bin', Buffer.alloc(700, 7).toString('hex')],
      ['empty', ''],
    ]);
  });

  it.each([
    ['pax', 'x'], // the name is in a pax extended header ('x') before the entry
    ['gnu', 'L'], // the name is in a ././@LongLink entry ('L') before the entry
  ])('reads a name longer than 100 bytes from a %s archive whole', async (format, extensionType) => {
    const bytes = await archiveOf(format, longName, 'a.txt');
    expect(String.fromCharCode(bytes[156])).toBe(extensionType); // the first header's type flag
    const entries = (await tarEntries(bytes)).map((e) => [e.name, Buffer.from(e.data).toString()]);
    expect(entries).toEqual([[longName, longData.toString()], ['a.txt', 'hello']]);
  });

  it('rejects a corrupted header and a truncated archive', async () => {
    const corrupt = Buffer.from(archive);
    corrupt[0] ^= 0xff;
    await expect(tarEntries(corrupt, 'x.tar')).rejects.toThrow('x.tar: bad tar header');
    // blocks: a.txt header, a.txt data, sub/b.bin header at byte 1024, b.bin data (2 blocks) ...
    await expect(tarEntries(archive.subarray(0, 1536 + 100), 'x.tar')).rejects.toThrow('x.tar: truncated');
    await expect(tarEntries(archive.subarray(0, 1024 + 100), 'x.tar')).rejects.toThrow('x.tar: truncated');
  });
});
