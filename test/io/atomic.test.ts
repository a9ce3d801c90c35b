import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AtomicFile,
  recoverDir,
  replaceDirAtomic,
  writeFileAtomic,
  writeJsonAtomic,
} from '../../src/io/atomic.js';

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'io-atomic-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await fs.rm(root, { recursive: true, force: true });
});

function errnoError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

describe('writeFileAtomic', () => {
  it('writes strings and bytes, replaces the previous file and leaves no temp behind', async () => {
    const p = path.join(root, 'a.txt');
    await writeFileAtomic(p, 'first');
    expect(await fs.readFile(p, 'utf8')).toBe('first');
    await writeFileAtomic(p, new Uint8Array([1, 2, 3]));
    expect([...(await fs.readFile(p))]).toEqual([1, 2, 3]);
    expect(await fs.readdir(root)).toEqual(['a.txt']);
  });

  it('keeps the previous file and removes the temp when the rename fails (ENOSPC)', async () => {
    const p = path.join(root, 'keep.txt');
    await writeFileAtomic(p, 'previous');
    vi.spyOn(fs, 'rename').mockRejectedValueOnce(errnoError('ENOSPC', 'no space left on device'));
    await expect(writeFileAtomic(p, 'next')).rejects.toThrow(`cannot write ${p}: ENOSPC`);
    expect(await fs.readFile(p, 'utf8')).toBe('previous');
    expect(await fs.readdir(root)).toEqual(['keep.txt']);
  });

  it('keeps the previous file when the data write fails half way (EIO)', async () => {
    const p = path.join(root, 'keep.bin');
    await writeFileAtomic(p, 'previous');
    const probe = await fs.open(path.join(root, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as fs.FileHandle;
    await probe.close();
    await fs.rm(path.join(root, 'probe'));
    vi.spyOn(proto, 'writeFile').mockImplementationOnce(async function (this: fs.FileHandle) {
      await this.write(Buffer.from('half'));
      throw errnoError('EIO', 'i/o error');
    });
    await expect(writeFileAtomic(p, 'next content')).rejects.toThrow(`cannot write ${p}: EIO`);
    expect(await fs.readFile(p, 'utf8')).toBe('previous');
    expect(await fs.readdir(root)).toEqual(['keep.bin']);
  });

  it('names the path and the cause when the directory is not a directory (ENOTDIR)', async () => {
    const file = path.join(root, 'plain');
    await fs.writeFile(file, 'x');
    const p = path.join(file, 'child.txt');
    await expect(writeFileAtomic(p, 'x')).rejects.toThrow(new RegExp(`cannot write ${p}: ENOTDIR`));
  });

  it('a concurrent reader sees the whole old or the whole new content, never a mix', async () => {
    const p = path.join(root, 'big.bin');
    const oldData = new Uint8Array(1 << 20).fill(1);
    const newData = new Uint8Array(4 << 20).fill(2);
    await writeFileAtomic(p, oldData);
    let done = false;
    const writing = writeFileAtomic(p, newData).finally(() => (done = true));
    const seen = new Set<string>();
    while (!done) {
      const buf = await fs.readFile(p);
      const kind =
        buf.length === oldData.length && buf.every((b) => b === 1)
          ? 'old'
          : buf.length === newData.length && buf.every((b) => b === 2)
            ? 'new'
            : 'torn';
      seen.add(kind);
    }
    await writing;
    expect(seen.has('torn')).toBe(false);
    expect((await fs.readFile(p)).length).toBe(newData.length);
  });

  it('AtomicFile streams chunks and abort leaves the target untouched', async () => {
    const p = path.join(root, 'stream.txt');
    const a = await AtomicFile.open(p);
    await a.write(Buffer.from('ab'));
    await a.write(Buffer.from('cd'));
    await a.commit();
    expect(await fs.readFile(p, 'utf8')).toBe('abcd');
    const b = await AtomicFile.open(p);
    await b.write(Buffer.from('zz'));
    await b.abort();
    expect(await fs.readFile(p, 'utf8')).toBe('abcd');
    expect(await fs.readdir(root)).toEqual(['stream.txt']);
    await expect(b.commit()).rejects.toThrow('already closed');
  });
});

describe('writeJsonAtomic', () => {
  it('writes pretty JSON with a trailing newline', async () => {
    const p = path.join(root, 'c.json');
    await writeJsonAtomic(p, { a: 1, b: [true, null] });
    const text = await fs.readFile(p, 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toEqual({ a: 1, b: [true, null] });
  });

  it('rejects values JSON cannot represent, without touching the file', async () => {
    const p = path.join(root, 'c.json');
    await expect(writeJsonAtomic(p, { n: 1n })).rejects.toThrow(/not JSON-serialisable/);
    await expect(writeJsonAtomic(p, undefined)).rejects.toThrow(/not JSON-serialisable/);
    expect(await fs.readdir(root)).toEqual([]);
  });
});

describe('replaceDirAtomic', () => {
  const fillWith = (files: Record<string, string>) => async (tmp: string) => {
    for (const [name, text] of Object.entries(files)) await fs.writeFile(path.join(tmp, name), text);
  };
  const listing = async (dir: string) => (await fs.readdir(dir)).sort();

  it('creates, then replaces the whole directory, leaving no siblings', async () => {
    const dir = path.join(root, 'nested', 'ckpt');
    await replaceDirAtomic(dir, fillWith({ 'a.txt': '1', 'b.txt': '1' }));
    await replaceDirAtomic(dir, fillWith({ 'a.txt': '2' }));
    expect(await listing(dir)).toEqual(['a.txt']);
    expect(await fs.readFile(path.join(dir, 'a.txt'), 'utf8')).toBe('2');
    expect(await listing(path.join(root, 'nested'))).toEqual(['ckpt']);
  });

  it('leaves the previous version when fill throws', async () => {
    const dir = path.join(root, 'ckpt');
    await replaceDirAtomic(dir, fillWith({ 'a.txt': 'good' }));
    await expect(
      replaceDirAtomic(dir, async (tmp) => {
        await fs.writeFile(path.join(tmp, 'a.txt'), 'partial');
        throw new Error('disk full while saving');
      }),
    ).rejects.toThrow(`cannot write ${dir}: disk full while saving`);
    expect(await fs.readFile(path.join(dir, 'a.txt'), 'utf8')).toBe('good');
    expect(await listing(root)).toEqual(['ckpt']);
  });

  it('puts the previous version back when the swap-in rename fails', async () => {
    const dir = path.join(root, 'ckpt');
    await replaceDirAtomic(dir, fillWith({ 'a.txt': 'good' }));
    const realRename = fs.rename;
    let calls = 0;
    vi.spyOn(fs, 'rename').mockImplementation(async (from, to) => {
      // 1st: dir -> .old, 2nd: tmp -> dir (fails), 3rd: .old -> dir (rollback)
      if (++calls === 2) throw errnoError('EXDEV', 'cross-device link not permitted');
      return realRename(from, to);
    });
    await expect(replaceDirAtomic(dir, fillWith({ 'a.txt': 'new' }))).rejects.toThrow(
      `cannot write ${dir}: EXDEV`,
    );
    vi.restoreAllMocks();
    expect(await fs.readFile(path.join(dir, 'a.txt'), 'utf8')).toBe('good');
    expect(await listing(root)).toEqual(['ckpt']);
  });

  it('recovers from a kill between the two renames', async () => {
    const dir = path.join(root, 'ckpt');
    // The on-disk state a kill leaves: previous version moved aside, new one still a temp.
    await fs.mkdir(`${dir}.old-4242`);
    await fs.writeFile(path.join(`${dir}.old-4242`, 'a.txt'), 'good');
    await fs.mkdir(path.join(root, '.ckpt.tmp-4242-0'));
    await fs.writeFile(path.join(root, '.ckpt.tmp-4242-0', 'a.txt'), 'half');
    await fs.mkdir(path.join(root, 'ckpt.old-backup')); // not ours: must survive

    expect(await recoverDir(dir)).toBe(true);
    expect(await fs.readFile(path.join(dir, 'a.txt'), 'utf8')).toBe('good');
    expect(await listing(root)).toEqual(['ckpt', 'ckpt.old-backup']);
    expect(await recoverDir(dir)).toBe(false);
  });

  it('removes a stale .old left by a kill after the swap, and a later replace works', async () => {
    const dir = path.join(root, 'ckpt');
    await replaceDirAtomic(dir, fillWith({ 'a.txt': 'new' }));
    await fs.mkdir(`${dir}.old-7`);
    await replaceDirAtomic(dir, fillWith({ 'a.txt': 'newer' }));
    expect(await listing(root)).toEqual(['ckpt']);
    expect(await fs.readFile(path.join(dir, 'a.txt'), 'utf8')).toBe('newer');
  });

  it('recoverDir on a missing parent is a no-op', async () => {
    expect(await recoverDir(path.join(root, 'no', 'such'))).toBe(false);
  });
});
