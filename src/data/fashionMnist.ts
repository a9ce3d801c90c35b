import { access, mkdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import sharp from 'sharp';
import { downloadFile } from './download.js';
import { readIdx, type IdxArray } from './idx.js';

/** Label i's folder name (Xiao, Rasul & Vollgraf 2017, arXiv:1708.07747, table 1). */
export const FASHION_MNIST_CLASSES = [
  't-shirt_top', 'trouser', 'pullover', 'dress', 'coat',
  'sandal', 'shirt', 'sneaker', 'bag', 'ankle_boot',
] as const;

const SPLIT_FILES = {
  train: { images: 'train-images-idx3-ubyte.gz', labels: 'train-labels-idx1-ubyte.gz' },
  test: { images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz' },
} as const;
type Split = keyof typeof SPLIT_FILES;
const ALL_FILES = Object.values(SPLIT_FILES).flatMap((f) => [f.images, f.labels]);

/** The official location and checksums (zalandoresearch/fashion-mnist README). */
export const FASHION_MNIST_MIRROR: DownloadMirror = {
  baseUrl: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
  md5: {
    'train-images-idx3-ubyte.gz': '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
    'train-labels-idx1-ubyte.gz': '25c81989df183df01b3e8a0aad5dffbe',
    't10k-images-idx3-ubyte.gz': 'bef4ecab320f06d8554ea6380940ec79',
    't10k-labels-idx1-ubyte.gz': 'bb300cfdad3c16e7a12a480ee83cd310',
  },
};

/** Where Debian's `dataset-fashion-mnist` package puts the four files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export interface DownloadMirror {
  /** Ends with '/'; each file is fetched from baseUrl + its name. */
  baseUrl: string;
  md5: Record<string, string>;
}

export interface ExportFashionMnistOptions {
  /** Gets `train/<class>/<index>.png` and `test/<class>/<index>.png`. */
  out: string;
  /** A folder holding the four IDX files (.gz or not); when given, nothing else is tried. */
  from?: string;
  /** Keep only the first N images of each class, in file order. */
  limitPerClass?: { train?: number; test?: number };
  onProgress?: (done: number, total: number) => void;
  /** Replace existing `out/train` and `out/test` folders. */
  force?: boolean;
  /** Searched when `from` is not given, before the download cache. */
  systemDir?: string;
  cacheDir?: string;
  mirror?: DownloadMirror;
  concurrency?: number;
}

export interface FashionMnistExport {
  /** The folder the IDX files were read from. */
  sourceDir: string;
  downloaded: boolean;
  /** Images written per class, indexed like FASHION_MNIST_CLASSES. */
  perClass: Record<Split, number[]>;
}

/** Write Fashion-MNIST as an ImageFolder tree of 28×28 grayscale PNGs. */
export async function exportFashionMnist(opts: ExportFashionMnistOptions): Promise<FashionMnistExport> {
  const { dir, downloaded } = await locateFiles(opts);
  const splits = await Promise.all((Object.keys(SPLIT_FILES) as Split[]).map((split) => readSplit(dir, split)));
  for (const split of Object.keys(SPLIT_FILES) as Split[]) await prepareTarget(opts.out, split, opts.force ?? false);

  const selections = splits.map(({ split, labels }) => selectFirstPerClass(labels, opts.limitPerClass?.[split]));
  const total = selections.reduce((n, s) => n + s.length, 0);
  const limit = pLimit(opts.concurrency ?? 8);
  let done = 0;
  const perClass = {} as Record<Split, number[]>;
  for (const [k, { split, images, labels }] of splits.entries()) {
    const partial = path.join(opts.out, `.${split}.partial`);
    await rm(partial, { recursive: true, force: true });
    for (const name of FASHION_MNIST_CLASSES) await mkdir(path.join(partial, name), { recursive: true });
    const digits = String(labels.length - 1).length; // zero-padded, so name order = file order
    const [, h, w] = images.dims;
    await Promise.all(
      selections[k].map((i) =>
        limit(async () => {
          const pixels = images.data.subarray(i * h * w, (i + 1) * h * w);
          const file = path.join(partial, FASHION_MNIST_CLASSES[labels[i]], `${String(i).padStart(digits, '0')}.png`);
          await sharp(pixels, { raw: { width: w, height: h, channels: 1 } }).toColourspace('b-w').png({ compressionLevel: 9, adaptiveFiltering: true }).toFile(file);
          opts.onProgress?.(++done, total);
        }),
      ),
    );
    // Appear complete or not at all: an interrupted export leaves only the hidden partial folder.
    await rename(partial, path.join(opts.out, split));
    perClass[split] = FASHION_MNIST_CLASSES.map((_, c) => selections[k].filter((i) => labels[i] === c).length);
  }
  return { sourceDir: dir, downloaded, perClass };
}

/** Indices of the first `limit` images of each class, in file order (all when no limit). */
function selectFirstPerClass(labels: Uint8Array, limit = Infinity): number[] {
  if (!(limit >= 0)) throw new Error(`images per class must be a non-negative number, got ${limit}`);
  const taken = new Array<number>(FASHION_MNIST_CLASSES.length).fill(0);
  const chosen: number[] = [];
  labels.forEach((label, i) => {
    if (taken[label] < limit) {
      taken[label]++;
      chosen.push(i);
    }
  });
  return chosen;
}

async function readSplit(dir: string, split: Split): Promise<{ split: Split; images: IdxArray; labels: Uint8Array }> {
  const files = SPLIT_FILES[split];
  const images = await readIdx((await findFile(dir, files.images))!);
  const labels = await readIdx((await findFile(dir, files.labels))!);
  if (images.dims.length !== 3 || labels.dims.length !== 1 || images.dims[0] !== labels.dims[0]) {
    throw new Error(
      `${dir}: ${split} images (dims ${images.dims.join('×')}) and labels (dims ${labels.dims.join('×')}) do not match: expected N×H×W images and N labels`,
    );
  }
  const bad = labels.data.findIndex((l) => l >= FASHION_MNIST_CLASSES.length);
  if (bad >= 0) throw new Error(`${dir}: ${split} label ${bad} is ${labels.data[bad]}, expected 0–9`);
  return { split, images, labels: labels.data };
}

async function prepareTarget(out: string, split: Split, force: boolean): Promise<void> {
  const target = path.join(out, split);
  const exists = await stat(target).then(() => true, () => false);
  if (exists && !force) throw new Error(`${target} already exists: remove it, choose another --out, or pass --force`);
  await rm(target, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
}

/** `from` if given; else Debian's copy, the download cache, and finally a download. */
async function locateFiles(opts: ExportFashionMnistOptions): Promise<{ dir: string; downloaded: boolean }> {
  if (opts.from) {
    const missing = await missingFiles(opts.from);
    if (missing.length > 0) throw new Error(`${opts.from} lacks the Fashion-MNIST file(s) ${missing.join(', ')}`);
    return { dir: opts.from, downloaded: false };
  }
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  for (const dir of [opts.systemDir ?? DEBIAN_FASHION_MNIST_DIR, cacheDir]) {
    if ((await missingFiles(dir)).length === 0) return { dir, downloaded: false };
  }
  const mirror = opts.mirror ?? FASHION_MNIST_MIRROR;
  await mkdir(cacheDir, { recursive: true });
  try {
    for (const name of await missingFiles(cacheDir)) {
      await downloadFile(mirror.baseUrl + name, path.join(cacheDir, name), { md5: mirror.md5[name] });
    }
  } catch (err) {
    throw new Error(
      `${(err as Error).message}; install Debian's copy with "apt-get install dataset-fashion-mnist" or pass --from <dir> holding ${ALL_FILES.join(', ')}`,
    );
  }
  return { dir: cacheDir, downloaded: true };
}

async function missingFiles(dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (const name of ALL_FILES) if (!(await findFile(dir, name))) missing.push(name);
  return missing;
}

/** `name` (gzipped) or the same file already gunzipped. */
async function findFile(dir: string, name: string): Promise<string | undefined> {
  for (const candidate of [name, name.replace(/\.gz$/, '')]) {
    const file = path.join(dir, candidate);
    if (await access(file).then(() => true, () => false)) return file;
  }
  return undefined;
}

function defaultCacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'simclr-ts', 'fashion-mnist');
}
