import type { DownloadMirror } from './datasetFiles.js';

/** Options shared by the dataset exporters (Fashion-MNIST, CIFAR-10). */
export interface ExportDatasetOptions {
  /** Gets `train/<class>/<index>.png` and `test/<class>/<index>.png`. */
  out: string;
  /** A folder holding the dataset's files; when given, nothing else is tried. */
  from?: string;
  /** Keep only the first N images of each class, in file order. */
  limitPerClass?: { train?: number; test?: number };
  onProgress?: (done: number, total: number) => void;
  /** Replace existing `out/train` and `out/test` folders. */
  force?: boolean;
  /** A system-wide copy, searched when `from` is not given, before the download cache. */
  systemDir?: string;
  cacheDir?: string;
  mirror?: DownloadMirror;
  concurrency?: number;
}

export interface DatasetExport {
  /** The folder the source files were read from. */
  sourceDir: string;
  downloaded: boolean;
  /** Images written per class (indexed like the dataset's class list), per split. */
  perClass: { train: number[]; test: number[] };
}
