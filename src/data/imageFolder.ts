import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { loadScannedImages, type ImageDataset, type LoadImageOptions } from './dataset.js';
import { scanImages, type ScanResult } from './scan.js';
import { formatSkipped } from './skipped.js';

export interface LabelledDataset {
  dataset: ImageDataset;
  /** labels[i] is the class index of dataset.paths[i]. */
  labels: Int32Array;
  classNames: string[];
}

/**
 * Load an ImageFolder tree, `root/<class>/<image>` (images may sit deeper inside a class
 * folder). Classes are the sorted sub-folder names; pass the training split's `classNames`
 * when loading its test split so that indices agree (the test split may lack some classes).
 */
export async function loadImageFolder(
  root: string,
  opts: LoadImageOptions,
  classNames?: string[],
): Promise<LabelledDataset> {
  const folders = await classFolders(root);
  const names = classNames ?? folders;
  if (names.length < 2) {
    throw new Error(`${root} needs at least 2 class folders (root/<class>/<image>), found ${names.length}`);
  }
  const index = new Map(names.map((name, i) => [name, i]));
  for (const folder of folders) {
    if (!index.has(folder)) {
      throw new Error(`class "${folder}" in ${root} is not one of the training classes (${names.join(', ')})`);
    }
  }

  // Scan each class folder; files lying directly in root belong to no class.
  const scan: ScanResult = { files: [], skipped: [] };
  const classOfFile = new Map<string, number>();
  const filesPerFolder = new Map<string, number>();
  for (const folder of folders) {
    const part = await scanImages(path.join(root, folder));
    for (const file of part.files) classOfFile.set(file, index.get(folder)!);
    filesPerFolder.set(folder, part.files.length);
    scan.files.push(...part.files);
    scan.skipped.push(...part.skipped);
  }
  const rootFiles = await readdir(root, { withFileTypes: true });
  for (const entry of rootFiles) {
    if (!entry.name.startsWith('.') && !folders.includes(entry.name)) {
      scan.skipped.push({ path: path.join(root, entry.name), reason: 'outside-class-folders' });
    }
  }

  const dataset = await loadScannedImages(root, scan, opts);
  const labels = Int32Array.from(dataset.paths, (p) => classOfFile.get(p)!);
  const found = new Set(labels);
  for (const folder of folders) {
    if (!found.has(index.get(folder)!)) {
      const dir = path.join(root, folder);
      const why = filesPerFolder.get(folder) === 0 ? 'no image files' : formatSkipped(dataset.skipped.filter((s) => s.path.startsWith(dir + path.sep)));
      throw new Error(`class folder ${dir} has no readable images (${why})`);
    }
  }
  return { dataset, labels, classNames: names };
}

/** Sub-directories of root (symlinks followed), sorted in code-point order. */
async function classFolders(root: string): Promise<string[]> {
  const st = await stat(root).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`data folder ${root} cannot be read (${err.code ?? err.message})`);
  });
  if (!st.isDirectory()) throw new Error(`data folder ${root} is not a directory`);
  const folders: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const isDir = entry.isDirectory() || (entry.isSymbolicLink() && (await stat(path.join(root, entry.name)).then((s) => s.isDirectory(), () => false)));
    if (isDir) folders.push(entry.name);
  }
  return folders.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
