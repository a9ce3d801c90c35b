import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanImages } from '../../src/data/scan.js';
import { makeMessyFolder, tempDir } from './fixtures.js';

describe('scanImages', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let expected: Awaited<ReturnType<typeof makeMessyFolder>>;

  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir('scan'));
    expected = await makeMessyFolder(root);
  });
  afterAll(() => cleanup());

  it('finds images recursively in code-point order, following file links, not entering x.png/ as a file', async () => {
    const { files } = await scanImages(root);
    const decodeFailures = Object.keys(expected.bad).filter((f) => f.startsWith('bad/'));
    const want = [...Object.keys(expected.good), ...decodeFailures].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(files.map((f) => path.relative(root, f))).toEqual(want);
  });

  it('skips link loops, directory cycles and other extensions with reasons, and never loops', async () => {
    const { skipped } = await scanImages(root);
    const got = Object.fromEntries(skipped.map((s) => [path.relative(root, s.path), s.reason]));
    const want = Object.fromEntries(Object.entries(expected.bad).filter(([f]) => !f.startsWith('bad/')));
    expect(got).toEqual(want);
  });

  it('gives the same answer twice (deterministic)', async () => {
    expect(await scanImages(root)).toEqual(await scanImages(root));
  });

  it('honours a custom extension list, case-insensitively', async () => {
    const { files } = await scanImages(root, { extensions: ['jpeg'] });
    expect(files.map((f) => path.relative(root, f))).toEqual(['nested/photo.JPEG']);
  });

  it('rejects a missing root and a root that is a file', async () => {
    await expect(scanImages(path.join(root, 'nope'))).rejects.toThrow(/data folder .*nope cannot be read \(ENOENT\)/);
    const file = path.join(root, 'notes.txt');
    await writeFile(file, 'x');
    await expect(scanImages(file)).rejects.toThrow(/is not a directory/);
  });
});
