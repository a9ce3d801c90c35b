import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NpyWriter, readNpy, writeNpy } from '../../src/io/npy.js';

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'io-npy-'));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

describe('writeNpy', () => {
  it('writes the v1.0 header exactly as the format spec says', async () => {
    const p = path.join(root, 'a.npy');
    await writeNpy(p, Float32Array.from([0, 1, 2, 3, 4, 5]), [2, 3]);
    const bytes = await fs.readFile(p);
    // magic \x93NUMPY, version 1.0, uint16 LE header length, dict padded to a 64-byte boundary
    expect([...bytes.subarray(0, 8)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const headerLen = bytes[8] + 256 * bytes[9];
    expect(headerLen).toBe(118); // 10 + 118 = 128
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    expect(bytes.toString('latin1', 10, 128)).toBe(dict + ' '.repeat(118 - dict.length - 1) + '\n');
    expect(bytes.length).toBe(128 + 24);
    expect([...new Float32Array(bytes.buffer.slice(bytes.byteOffset + 128, bytes.byteOffset + 152))]).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('spells 1-d and 0-d shapes and the other dtypes like numpy', async () => {
    const p = path.join(root, 'b.npy');
    const dictOf = async () => (await fs.readFile(p)).toString('latin1', 10, 128).trimEnd();
    await writeNpy(p, Int32Array.from([1, -2, 3, 4, 5]), [5]);
    expect(await dictOf()).toBe("{'descr': '<i4', 'fortran_order': False, 'shape': (5,), }");
    await writeNpy(p, Uint8Array.from([7]), []);
    expect(await dictOf()).toBe("{'descr': '|u1', 'fortran_order': False, 'shape': (), }");
    expect((await fs.readFile(p)).length).toBe(129);
  });

  it('round-trips every dtype and shape', async () => {
    const p = path.join(root, 'c.npy');
    const cases: Array<[Float32Array | Int32Array | Uint8Array, number[]]> = [
      [Float32Array.from([1.5, -0, Infinity, NaN, 3e-39, 1e30]), [3, 2]],
      [Int32Array.from([2 ** 31 - 1, -(2 ** 31), 0]), [3]],
      [Uint8Array.from([0, 255, 128, 1]), [1, 2, 2]],
      [new Float32Array(0), [0, 4]],
      [Float32Array.from([42]), []],
    ];
    for (const [data, shape] of cases) {
      await writeNpy(p, data, shape);
      const back = await readNpy(p);
      expect(back.shape).toEqual(shape);
      expect(back.data.constructor).toBe(data.constructor);
      expect([...back.data]).toEqual([...data]);
    }
    expect(await fs.readdir(root)).toEqual(['c.npy']);
  });

  it('rejects bad input with clear messages', async () => {
    const p = path.join(root, 'd.npy');
    await expect(writeNpy(p, new Float32Array(5), [2, 3])).rejects.toThrow('shape [2,3] holds 6 values, data has 5');
    await expect(writeNpy(p, new Float32Array(0), [-1])).rejects.toThrow('shape must be an array of non-negative integers');
    await expect(writeNpy(p, new Float64Array(1) as unknown as Float32Array, [1])).rejects.toThrow('must be a Float32Array');
    await fs.writeFile(p, 'hello world, not numpy');
    await expect(readNpy(p)).rejects.toThrow(`npy ${p}: not a .npy file`);
    await writeNpy(p, new Float32Array(6), [2, 3]);
    const full = await fs.readFile(p);
    await fs.writeFile(p, full.subarray(0, full.length - 1));
    await expect(readNpy(p)).rejects.toThrow('expected 24 data bytes for shape (2,3), found 23');
    const bigEndian = Buffer.from(full);
    bigEndian.write('>f4', 21, 'latin1');
    await fs.writeFile(p, bigEndian);
    await expect(readNpy(p)).rejects.toThrow("dtype '>f4' is not supported");
    const fortran = Buffer.from(full.toString('latin1').replace('False', 'True '), 'latin1');
    await fs.writeFile(p, fortran);
    await expect(readNpy(p)).rejects.toThrow('Fortran-order arrays are not supported');
    await expect(readNpy(path.join(root, 'missing.npy'))).rejects.toThrow('cannot read');
  });
});

describe('NpyWriter', () => {
  it('streams rows and gives the same file as writeNpy', async () => {
    const whole = Float32Array.from({ length: 7 * 3 }, (_, i) => i * 0.25 - 2);
    await writeNpy(path.join(root, 'whole.npy'), whole, [7, 3]);
    const w = await NpyWriter.open(path.join(root, 'streamed.npy'), [7, 3], 'float32');
    expect(await fs.readdir(root)).not.toContain('streamed.npy'); // nothing published yet
    await w.write(whole.subarray(0, 6));
    await w.write(whole.subarray(6, 15));
    await w.write(whole.subarray(15));
    await w.close();
    const a = await fs.readFile(path.join(root, 'whole.npy'));
    const b = await fs.readFile(path.join(root, 'streamed.npy'));
    expect(b.equals(a)).toBe(true);
    expect((await fs.readdir(root)).sort()).toEqual(['streamed.npy', 'whole.npy']);
  });

  it('publishes nothing until every row is written, and rejects wrong rows', async () => {
    const p = path.join(root, 'e.npy');
    await writeNpy(p, Int32Array.from([9]), [1]); // a previous version that must survive
    const w = await NpyWriter.open(p, [4, 2], 'int32');
    await expect(w.write(new Float32Array(2))).rejects.toThrow('got float32 rows, file is int32');
    await expect(w.write(new Int32Array(3))).rejects.toThrow('3 values is not a whole number of rows of 2');
    await w.write(new Int32Array(4));
    await expect(w.write(new Int32Array(6))).rejects.toThrow('writing 3 rows would exceed the 4 declared');
    expect([...(await readNpy(p)).data]).toEqual([9]);
    await expect(w.close()).rejects.toThrow('2 of 4 rows written; file not created');
    expect([...(await readNpy(p)).data]).toEqual([9]);
    expect(await fs.readdir(root)).toEqual(['e.npy']);
    await expect(NpyWriter.open(p, [], 'float32')).rejects.toThrow('at least one axis');
  });
});

describe('NpyWriter with an unknown row count (shape[0] = -1)', () => {
  it('rewrites the header with the rows actually written, keeping the 64-byte alignment', async () => {
    const p = path.join(root, 'grow.npy');
    const w = await NpyWriter.open(p, [-1, 3], 'float32');
    await w.write(Float32Array.from([1, 2, 3, 4, 5, 6]));
    await w.write(Float32Array.from([7, 8, 9]));
    expect(w.rowsWritten).toBe(3);
    await w.close();
    const bytes = await fs.readFile(p);
    const headerLen = bytes[8] + 256 * bytes[9];
    expect((10 + headerLen) % 64).toBe(0);
    expect(bytes.toString('latin1', 10, 10 + headerLen)).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(3, 3\), \} *\n$/);
    const back = await readNpy(p);
    expect(back.shape).toEqual([3, 3]);
    expect([...back.data]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe.skipIf(!hasNumpy)('numpy interop (skipped: python3 with numpy not found)', () => {
  it('numpy.load reads what we write, and we read what numpy writes', async () => {
    const ours = path.join(root, 'ours.npy');
    const data = Float32Array.from({ length: 12 }, (_, i) => i / 3 - 1);
    await writeNpy(ours, data, [3, 4]);
    const theirs = path.join(root, 'theirs.npy');
    const resaved = path.join(root, 'resaved.npy');
    const script = [
      'import sys, json, numpy as np',
      'a = np.load(sys.argv[1])',
      'np.save(sys.argv[2], np.arange(6, dtype=np.int32).reshape(3, 2) - 2)',
      'np.save(sys.argv[3], a)',
      'print(json.dumps({"dtype": str(a.dtype), "shape": list(a.shape), "c": bool(a.flags.c_contiguous), "values": a.ravel().tolist()}))',
    ].join('\n');
    const out = JSON.parse(execFileSync('python3', ['-c', script, ours, theirs, resaved], { encoding: 'utf8' }));
    expect(out).toEqual({ dtype: 'float32', shape: [3, 4], c: true, values: [...data] });
    expect((await fs.readFile(resaved)).equals(await fs.readFile(ours))).toBe(true); // byte for byte
    const back = await readNpy(theirs);
    expect([back.dtype, back.shape, [...back.data]]).toEqual(['int32', [3, 2], [-2, -1, 0, 1, 2, 3]]);
  });

  it('numpy.load reads a file whose row count was fixed on close', async () => {
    const p = path.join(root, 'grow.npy');
    const w = await NpyWriter.open(p, [-1, 2], 'float32');
    await w.write(Float32Array.from([0.5, 1.5, 2.5, 3.5]));
    await w.close();
    const out = execFileSync('python3', ['-c', 'import sys, numpy as np; a = np.load(sys.argv[1]); print(a.shape, a.ravel().tolist())', p], { encoding: 'utf8' });
    expect(out.trim()).toBe('(2, 2) [0.5, 1.5, 2.5, 3.5]');
  });
});
