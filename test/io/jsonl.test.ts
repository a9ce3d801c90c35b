import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JsonlWriter, readJsonl, truncateJsonlAfterStep } from '../../src/io/jsonl.js';

let root: string;
let file: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'io-jsonl-'));
  file = path.join(root, 'run', 'metrics.jsonl');
});
afterEach(async () => {
  vi.restoreAllMocks();
  await fs.rm(root, { recursive: true, force: true });
});

describe('JsonlWriter', () => {
  it('buffers until flush, then appends one line per record', async () => {
    const w = new JsonlWriter(file);
    w.append({ step: 1, loss: 2.5 });
    w.append({ step: 2, loss: NaN, note: 'a\nb' });
    await expect(fs.stat(file)).rejects.toThrow(); // nothing on disk before flush
    await w.flush();
    w.append({ step: 3 });
    await w.flush();
    await w.flush(); // nothing new: no-op
    expect(await fs.readFile(file, 'utf8')).toBe(
      '{"step":1,"loss":2.5}\n{"step":2,"loss":null,"note":"a\\nb"}\n{"step":3}\n',
    );
  });

  it('rejects non-object records and unserialisable values', () => {
    const w = new JsonlWriter(file);
    expect(() => w.append([1] as unknown as object)).toThrow('must be a plain object');
    expect(() => w.append({ n: 1n })).toThrow('not JSON-serialisable');
  });

  it('cuts a torn last line before appending to an existing file', async () => {
    await fs.mkdir(path.dirname(file));
    await fs.writeFile(file, '{"step":1}\n{"step":2,"lo');
    const w = new JsonlWriter(file);
    w.append({ step: 2 });
    await w.flush();
    expect(await fs.readFile(file, 'utf8')).toBe('{"step":1}\n{"step":2}\n');
  });

  it('completes a whole last record that only lacks its newline', async () => {
    await fs.mkdir(path.dirname(file));
    await fs.writeFile(file, '{"step":1}');
    const w = new JsonlWriter(file);
    w.append({ step: 2 });
    await w.flush();
    expect(await fs.readFile(file, 'utf8')).toBe('{"step":1}\n{"step":2}\n');
  });

  it('finds the last newline beyond one 4 KiB read window', async () => {
    await fs.mkdir(path.dirname(file));
    const long = JSON.stringify({ step: 1, pad: 'x'.repeat(9000) });
    await fs.writeFile(file, `${long}\n${long.slice(0, 6000)}`);
    const w = new JsonlWriter(file);
    w.append({ step: 2 });
    await w.flush();
    expect(await readJsonl(file)).toEqual([JSON.parse(long), { step: 2 }]);
    await fs.writeFile(file, long.slice(0, 5000)); // only a torn line
    const w2 = new JsonlWriter(file);
    w2.append({ step: 3 });
    await w2.flush();
    expect(await fs.readFile(file, 'utf8')).toBe('{"step":3}\n');
  });

  it('a failed flush reports the path and does not block the next one', async () => {
    const w = new JsonlWriter(file);
    const spy = vi
      .spyOn(fs, 'appendFile')
      .mockRejectedValueOnce(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }));
    w.append({ step: 1 });
    await expect(w.flush()).rejects.toThrow(`cannot append to ${file}: ENOSPC`);
    w.append({ step: 2 });
    await w.flush();
    expect(spy).toHaveBeenCalledTimes(2);
    expect(await readJsonl(file)).toEqual([{ step: 2 }]);
  });

  it('names the path when the directory cannot be created (ENOTDIR)', async () => {
    await fs.writeFile(path.join(root, 'plain'), 'x');
    const w = new JsonlWriter(path.join(root, 'plain', 'm.jsonl'));
    w.append({ step: 1 });
    await expect(w.flush()).rejects.toThrow(/cannot open .*plain\/m\.jsonl for appending: .*(ENOTDIR|EEXIST)/);
  });
});

describe('readJsonl', () => {
  it('drops a torn last line, keeps a complete one without newline, skips blank lines', async () => {
    await fs.mkdir(path.dirname(file));
    await fs.writeFile(file, '{"a":1}\n\n{"a":2}\n{"a":3,"b":[1,');
    expect(await readJsonl(file)).toEqual([{ a: 1 }, { a: 2 }]);
    await fs.writeFile(file, '{"a":1}\n{"a":2}');
    expect(await readJsonl(file)).toEqual([{ a: 1 }, { a: 2 }]);
    await fs.writeFile(file, '');
    expect(await readJsonl(file)).toEqual([]);
  });

  it('throws with file and line number on a bad line that is not the last', async () => {
    await fs.mkdir(path.dirname(file));
    await fs.writeFile(file, '{"a":1}\n{oops\n{"a":2}\n');
    await expect(readJsonl(file)).rejects.toThrow(`${file}:2: not a JSON object`);
    await fs.writeFile(file, '[1,2]\n');
    await expect(readJsonl(file)).rejects.toThrow(`${file}:1: not a JSON object`);
    await expect(readJsonl(path.join(root, 'missing.jsonl'))).rejects.toThrow('cannot read');
  });
});

describe('truncateJsonlAfterStep', () => {
  it('keeps records with step <= the given step (and step-less ones), byte for byte', async () => {
    await fs.mkdir(path.dirname(file));
    const lines = ['{"kind":"header"}', '{"step":1, "loss":3}', '{"step":2,"loss":2}', '{"step":3,"loss":1}'];
    await fs.writeFile(file, lines.join('\n') + '\n{"step":4,"lo');
    expect(await truncateJsonlAfterStep(file, 2)).toBe(1);
    expect(await fs.readFile(file, 'utf8')).toBe(lines.slice(0, 3).join('\n') + '\n');
    const before = await fs.stat(file);
    expect(await truncateJsonlAfterStep(file, 10)).toBe(0);
    expect((await fs.stat(file)).ino).toBe(before.ino); // untouched: not rewritten
    expect(await truncateJsonlAfterStep(path.join(root, 'none.jsonl'), 1)).toBe(0);
  });

  it('then a resumed writer continues without duplicated steps', async () => {
    const first = new JsonlWriter(file);
    for (const step of [1, 2, 3, 4]) first.append({ step });
    await first.flush();
    await truncateJsonlAfterStep(file, 2);
    const resumed = new JsonlWriter(file);
    for (const step of [3, 4]) resumed.append({ step });
    await resumed.flush();
    expect((await readJsonl<{ step: number }>(file)).map((r) => r.step)).toEqual([1, 2, 3, 4]);
  });
});
