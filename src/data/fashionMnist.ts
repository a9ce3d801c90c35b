import { datasetCacheDir, findFile, locateDatasetFiles, type DownloadMirror } from './datasetFiles.js';
import { readIdx } from './idx.js';
import type { DatasetExport, ExportDatasetOptions } from './exportTypes.js';
import { writeImageFolders, type LabelledSplit } from './imageFolderWriter.js';

export type { DownloadMirror } from './datasetFiles.js';
export type { DatasetExport, ExportDatasetOptions } from './exportTypes.js';

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

/**
 * Write Fashion-MNIST as an ImageFolder tree of 28×28 grayscale PNGs. The IDX files come from
 * `from`, else Debian's copy, else the download cache, else the official mirror.
 */
export async function exportFashionMnist(opts: ExportDatasetOptions): Promise<DatasetExport> {
  const { dir, downloaded } = await locateDatasetFiles({
    dataset: 'Fashion-MNIST',
    names: ALL_FILES,
    from: opts.from,
    searchDirs: [opts.systemDir ?? DEBIAN_FASHION_MNIST_DIR],
    cacheDir: opts.cacheDir ?? datasetCacheDir('fashion-mnist'),
    mirror: opts.mirror ?? FASHION_MNIST_MIRROR,
    offlineHint: `install Debian's copy with "apt-get install dataset-fashion-mnist" or pass --from <dir> holding ${ALL_FILES.join(', ')}`,
  });
  const splits = [await readSplit(dir, 'train', opts.limitPerClass?.train), await readSplit(dir, 'test', opts.limitPerClass?.test)];
  const perClass = await writeImageFolders(opts.out, splits, opts);
  return { sourceDir: dir, downloaded, perClass: { train: perClass.train, test: perClass.test } };
}

async function readSplit(dir: string, split: Split, limitPerClass?: number): Promise<LabelledSplit> {
  const files = SPLIT_FILES[split];
  const images = await readIdx((await findFile(dir, files.images))!);
  const labels = await readIdx((await findFile(dir, files.labels))!);
  if (images.dims.length !== 3 || labels.dims.length !== 1 || images.dims[0] !== labels.dims[0]) {
    throw new Error(
      `${dir}: ${split} images (dims ${images.dims.join('×')}) and labels (dims ${labels.dims.join('×')}) do not match: expected N×H×W images and N labels`,
    );
  }
  const [, height, width] = images.dims;
  const size = height * width;
  return {
    name: split,
    classNames: FASHION_MNIST_CLASSES,
    labels: labels.data,
    width,
    height,
    channels: 1,
    pixels: (i) => images.data.subarray(i * size, (i + 1) * size),
    limitPerClass,
  };
}
