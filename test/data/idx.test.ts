import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIdx, readIdx } from '../../src/data/idx.js';
import { idxBytes, tempDir } from './fixtures.js';

describe('parseIdx', () => {
  const data = Uint8Array.from({ length: 24 }, (_, i) => (i * 11) % 256);
  const raw = idxBytes([2, 3, 4], data);
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await tempDir('idx')));
  afterAll(() => cleanup());

  it('reads dims and data, raw and gzipped', () => {
    expect(raw.subarray(0, 4)).toEqual(Buffer.from([0, 0, 8, 3]));
    for (const bytes of [raw, gzipSync(raw)]) {
      const idx = parseIdx(bytes);
      expect(idx.dims).toEqual([2, 3, 4]);
      expect(Array.from(idx.data)).toEqual(Array.from(data));
    }
    const labels = parseIdx(idxBytes([5], Uint8Array.from([9, 0, 1, 2, 3])));
    expect(labels.dims).toEqual([5]);
    expect(Array.from(labels.data)).toEqual([9, 0, 1, 2, 3]);
  });

  it('reads big dims big-endian', () => {
    const big = idxBytes([70000], new Uint8Array(70000));
    expect(parseIdx(big).dims).toEqual([70000]);
  });

  it('rejects truncated data, trailing bytes, truncated headers and truncated gzip', () => {
    expect(() => parseIdx(raw.subarray(0, raw.length - 1), 'f.idx')).toThrow('f.idx: truncated IDX data (23 of 24 bytes for dims 2×3×4)');
    expect(() => parseIdx(Buffer.concat([raw, Buffer.from([1, 2])]), 'f.idx')).toThrow('f.idx: 2 unexpected bytes after the IDX data (dims 2×3×4)');
    expect(() => parseIdx(raw.subarray(0, 10), 'f.idx')).toThrow('f.idx: truncated IDX header (10 of 16 bytes)');
    expect(() => parseIdx(raw.subarray(0, 2), 'f.idx')).toThrow('f.idx: truncated IDX header (2 bytes)');
    const gz = gzipSync(raw);
    expect(() => parseIdx(gz.subarray(0, gz.length - 6), 'f.gz')).toThrow(/^f\.gz: corrupt or truncated gzip data/);
  });

  it('rejects a bad magic number and non-byte element types', () => {
    const bad = Buffer.from(raw);
    bad.writeUInt32BE(0x12345678, 0);
    expect(() => parseIdx(bad, 'x')).toThrow('x: not an IDX file (magic 0x12345678)');
    const floats = Buffer.from(raw);
    floats[2] = 0x0d;
    expect(() => parseIdx(floats, 'x')).toThrow('x: unsupported IDX element type 0xd (only unsigned bytes, 0x08)');
  });

  it('reads a file and names it in errors', async () => {
    const good = path.join(dir, 'good-idx3-ubyte.gz');
    await writeFile(good, gzipSync(raw));
    expect((await readIdx(good)).dims).toEqual([2, 3, 4]);
    const text = path.join(dir, 'labels.txt');
    await writeFile(text, 'hello');
    await expect(readIdx(text)).rejects.toThrow(`${text}: not an IDX file (magic 0x68656c6c)`);
  });
});
