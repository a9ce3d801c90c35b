import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { datasetCacheDir, findFile, locateDatasetFiles, type DownloadMirror } from './datasetFiles.js';
import type { DatasetExport, ExportDatasetOptions } from './exportTypes.js';
import { writeImageFolders, type LabelledSplit } from './imageFolderWriter.js';
import { tarEntries } from './tar.js';

/** Label i's folder name (batches.meta.txt). */
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;

const ARCHIVE = 'cifar-10-binary.tar.gz';
const BATCHES = {
  train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  test: ['test_batch.bin'],
};

/** The official location and checksum (https://www.cs.toronto.edu/~kriz/cifar.html). */
export const CIFAR10_MIRROR: DownloadMirror = {
  baseUrl: 'https://www.cs.toronto.edu/~kriz/',
  md5: { [ARCHIVE]: 'c32a1d4ab5d03f1284b67883e8d87530' },
};

// A record: 1 label byte, then the 32×32 red, green and blue planes.
const SIDE = 32;
const PLANE = SIDE * SIDE;
const RECORD = 1 + 3 * PLANE;

/**
 * Write CIFAR-10 as an ImageFolder tree of 32×32 RGB PNGs. `from` may hold the binary
 * batches (directly or in `cifar-10-batches-bin/`) or `cifar-10-binary.tar.gz`; without it
 * the archive comes from the download cache or the official site.
 */
export async function exportCifar10(opts: ExportDatasetOptions): Promise<DatasetExport> {
  const extracted = opts.from ? await extractedBatches(opts.from) : undefined;
  let batches: Map<string, Uint8Array>;
  let source: { dir: string; downloaded: boolean };
  if (extracted) {
    batches = extracted.batches;
    source = { dir: extracted.dir, downloaded: false };
  } else {
    source = await locateDatasetFiles({
      dataset: 'CIFAR-10',
      names: [ARCHIVE],
      from: opts.from,
      searchDirs: opts.systemDir ? [opts.systemDir] : [],
      cacheDir: opts.cacheDir ?? datasetCacheDir('cifar10'),
      mirror: opts.mirror ?? CIFAR10_MIRROR,
      offlineHint: `download ${CIFAR10_MIRROR.baseUrl}${ARCHIVE} elsewhere and pass --from <dir holding it>`,
    });
    batches = await batchesFromArchive((await findFile(source.dir, ARCHIVE))!);
  }
  const splits = [
    toSplit('train', BATCHES.train.map((b) => batches.get(b)!), opts.limitPerClass?.train),
    toSplit('test', BATCHES.test.map((b) => batches.get(b)!), opts.limitPerClass?.test),
  ];
  const perClass = await writeImageFolders(opts.out, splits, opts);
  return { sourceDir: source.dir, downloaded: source.downloaded, perClass: { train: perClass.train, test: perClass.test } };
}

async function extractedBatches(from: string): Promise<{ dir: string; batches: Map<string, Uint8Array> } | undefined> {
  for (const dir of [from, path.join(from, 'cifar-10-batches-bin')]) {
    const names = [...BATCHES.train, ...BATCHES.test];
    const files = await Promise.all(names.map((n) => findFile(dir, n)));
    if (files.every((f) => f)) {
      const batches = new Map<string, Uint8Array>();
      for (const [k, file] of files.entries()) batches.set(names[k], await readFile(file!));
      return { dir, batches };
    }
  }
  return undefined;
}

async function batchesFromArchive(file: string): Promise<Map<string, Uint8Array>> {
  let archive: Uint8Array = await readFile(file);
  if (archive[0] === 0x1f && archive[1] === 0x8b) {
    try {
      archive = gunzipSync(archive);
    } catch (err) {
      throw new Error(`${file}: corrupt or truncated gzip data (${(err as Error).message})`);
    }
  }
  const batches = new Map<string, Uint8Array>();
  for (const entry of await tarEntries(archive, file)) batches.set(path.posix.basename(entry.name), entry.data);
  const missing = [...BATCHES.train, ...BATCHES.test].filter((b) => !batches.has(b));
  if (missing.length > 0) throw new Error(`${file} lacks ${missing.join(', ')}`);
  return batches;
}

function toSplit(name: 'train' | 'test', parts: Uint8Array[], limitPerClass?: number): LabelledSplit {
  for (const part of parts) {
    if (part.length % RECORD !== 0) throw new Error(`CIFAR-10 ${name} batch has ${part.length} bytes, not a multiple of ${RECORD}`);
  }
  const records = Buffer.concat(parts);
  const count = records.length / RECORD;
  const labels = Uint8Array.from({ length: count }, (_, i) => records[i * RECORD]);
  return {
    name,
    classNames: CIFAR10_CLASSES,
    labels,
    width: SIDE,
    height: SIDE,
    channels: 3,
    pixels: (i) => {
      const planes = records.subarray(i * RECORD + 1, (i + 1) * RECORD);
      const hwc = new Uint8Array(3 * PLANE);
      for (let p = 0; p < PLANE; p++) for (let c = 0; c < 3; c++) hwc[3 * p + c] = planes[c * PLANE + p];
      return hwc;
    },
    limitPerClass,
  };
}
