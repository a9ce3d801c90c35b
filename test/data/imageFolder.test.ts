import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadImageFolder } from '../../src/data/imageFolder.js';
import { tempDir, writeSolidPng } from './fixtures.js';

describe('loadImageFolder', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  const opts = { cacheSize: 4 };

  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir('imagefolder'));
  });
  afterAll(() => cleanup());

  /** Each class's images get that class's grey level, so pixels reveal the label too. */
  async function makeSplit(name: string, classes: Record<string, number>): Promise<string> {
    const dir = path.join(root, name);
    for (const [cls, n] of Object.entries(classes)) {
      for (let i = 0; i < n; i++) await writeSolidPng(path.join(dir, cls, `${i}.png`), [grey(cls), grey(cls), grey(cls)]);
      await mkdir(path.join(dir, cls), { recursive: true });
    }
    return dir;
  }
  const grey = (cls: string) => cls.charCodeAt(0);

  it('labels images by sorted class folder and lines test labels up with the training classes', async () => {
    const train = await makeSplit('train', { dog: 2, cat: 3, eel: 1 });
    await writeFile(path.join(train, 'README.txt'), 'not in a class');
    await writeSolidPng(path.join(train, 'dog', 'deeper', 'x.png'), [grey('dog'), grey('dog'), grey('dog')]);

    const t = await loadImageFolder(train, opts);
    expect(t.classNames).toEqual(['cat', 'dog', 'eel']);
    expect(Array.from(t.labels)).toEqual([0, 0, 0, 1, 1, 1, 2]);
    expect(t.dataset.skipped).toEqual([{ path: path.join(train, 'README.txt'), reason: 'outside-class-folders' }]);
    if (t.dataset.source.kind !== 'memory') throw new Error('expected memory source');
    const pixels = t.dataset.source.pixels;
    t.labels.forEach((label, i) => expect(pixels[i * 4 * 4 * 3]).toBe(grey(t.classNames[label])));

    // The test split lacks 'cat': indices must still follow the training list.
    const test = await makeSplit('test', { eel: 1, dog: 1 });
    const s = await loadImageFolder(test, opts, t.classNames);
    expect(s.classNames).toEqual(['cat', 'dog', 'eel']);
    expect(Array.from(s.labels)).toEqual([1, 2]);
  });

  it('rejects a test class that training does not have', async () => {
    const test = await makeSplit('test-fox', { dog: 1, fox: 1 });
    await expect(loadImageFolder(test, opts, ['cat', 'dog'])).rejects.toThrow(
      `class "fox" in ${test} is not one of the training classes (cat, dog)`,
    );
  });

  it('rejects fewer than two classes', async () => {
    const one = await makeSplit('one', { cat: 2 });
    await expect(loadImageFolder(one, opts)).rejects.toThrow(`${one} needs at least 2 class folders (root/<class>/<image>), found 1`);
  });

  it('rejects a class folder with no readable images, saying why', async () => {
    const emptyClass = await makeSplit('empty-class', { cat: 1, dog: 0 });
    await expect(loadImageFolder(emptyClass, opts)).rejects.toThrow(`class folder ${path.join(emptyClass, 'dog')} has no readable images (no image files)`);

    const badClass = await makeSplit('bad-class', { cat: 1 });
    await mkdir(path.join(badClass, 'dog'));
    await writeFile(path.join(badClass, 'dog', 'a.jpg'), 'text');
    await expect(loadImageFolder(badClass, opts)).rejects.toThrow(
      `class folder ${path.join(badClass, 'dog')} has no readable images (1 file skipped (1 not-an-image): ${path.join(badClass, 'dog', 'a.jpg')} (not-an-image))`,
    );
  });

  it('rejects a missing root', async () => {
    await expect(loadImageFolder(path.join(root, 'missing'), opts)).rejects.toThrow(/data folder .*missing cannot be read \(ENOENT\)/);
  });
});
