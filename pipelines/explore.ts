import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pLimit from 'p-limit';
import { decodeToRgb } from '../augment/decode.js';
import type { BackendName } from '../src/backend/select.js';
import { labelsForPaths, type PathLabels } from '../src/data/pathLabels.js';
import type { Features } from '../src/eval/features.js';
import { layout2d } from '../src/explore/layout.js';
import type { MapMethod } from '../src/explore/mapMethod.js';
import { leaveOneOutKnn, nearestOthers, type NeighborLists } from '../src/explore/neighbors.js';
import { indexHtml, pageScript, type ExplorerData } from '../src/explore/page.js';
import { writeProjector } from '../src/explore/projector.js';
import { MAX_SHEET_SIDE, spriteLayout, spriteSheets } from '../src/explore/sprite.js';
import { replaceDirAtomic } from '../src/io/atomic.js';
import { readNpy } from '../src/io/npy.js';
import type { EncoderSpecDefaults } from '../src/models/featureExtractor.js';
import { embed, pathsFileFor } from './embed.js';

export interface ExploreArgs {
  encoder: string;
  data: string;
  out: string;
  backend: BackendName;
  batchSize: number;
  concurrency: number;
  maxPixels: number;
  seed: number;
  /** Neighbours listed for a clicked image. */
  neighbors: number;
  /** k of the leave-one-out kNN whose misses are marked. */
  k: number;
  map: MapMethod;
  defaults: EncoderSpecDefaults;
}

export interface ExploreResult {
  images: number;
  dim: number;
  map: 'umap' | 'pca';
  labelled: boolean;
  /** Leave-one-out kNN accuracy when labelled. */
  knnTop1?: number;
}

/** Thumbnails: 32 px, 64 × 64 to a 2048-px sheet on the page. */
const THUMB = 32;
const PAGE_SHEET_COLS = 64;

/**
 * `simclr explore`: a static page (index.html + data.js + explorer.js + sprite sheets, opens
 * from file://) mapping the embeddings of a folder in 2-D, with thumbnails, each image's nearest
 * neighbours and, for an ImageFolder, classes and kNN's misses; plus embeddings.npy and
 * TensorBoard projector files. The directory is replaced atomically.
 */
export async function explore(args: ExploreArgs, log: (line: string) => void = console.error): Promise<ExploreResult> {
  let result: ExploreResult | undefined;
  let inputError: unknown;
  await replaceDirAtomic(args.out, async (dir) => {
    try {
      result = await writeExplorer(dir, args, log);
    } catch (err) {
      inputError = err; // a bad --encoder or --data: its own message, not "cannot write <out>"
      throw err;
    }
  }).catch((err) => {
    throw inputError ?? err;
  });
  return result!;
}

async function writeExplorer(dir: string, args: ExploreArgs, log: (line: string) => void): Promise<ExploreResult> {
  const npy = path.join(dir, 'embeddings.npy');
  await embed({ ...args, out: npy }, log);
  const paths = (await fs.readFile(pathsFileFor(npy), 'utf8')).split('\n').filter(Boolean);
  const { data, shape } = await readNpy(npy);
  const features: Features = { data: data as Float32Array, n: shape[0], dim: shape[1] };
  if (features.n < 2) throw new Error(`explore needs at least 2 readable images in ${args.data}, found ${features.n}`);
  const classes = classesOf(args.data, paths);
  log(`neighbours: ${features.n} × ${features.n} cosine similarities`);
  const lists = nearestOthers(features, Math.max(args.neighbors, classes ? args.k : 0));
  const predicted = classes ? leaveOneOutKnn(lists, classes.labels, classes.classNames.length, args.k) : undefined;
  log(`map: ${args.map} of ${features.n} images`);
  const map = layout2d(features, args.map, args.seed);
  const thumbs = await thumbnails(paths, args.concurrency, args.maxPixels);
  const pageLayout = spriteLayout(THUMB, PAGE_SHEET_COLS);
  const sheets = await spriteSheets(thumbs, pageLayout);
  const sheetNames = sheets.map((_, i) => `sprite-${i}.png`);
  await Promise.all(sheets.map((png, i) => fs.writeFile(path.join(dir, sheetNames[i]), png)));
  const shown = firstOf(lists, Math.min(args.neighbors, lists.k));
  const names = paths.map((p) => path.relative(args.data, p) || path.basename(p));
  const pageData: ExplorerData = {
    title: args.data,
    n: features.n,
    k: shown.k,
    map: map.method,
    paths: names,
    classNames: classes?.classNames ?? null,
    positions: base64(map.positions),
    labels: classes ? base64(classes.labels) : null,
    predicted: predicted ? base64(predicted) : null,
    neighbors: base64(shown.indices),
    scores: base64(shown.scores),
    sprite: { ...pageLayout, sheets: sheetNames },
  };
  await fs.writeFile(path.join(dir, 'data.js'), `window.EXPLORER_DATA = ${JSON.stringify(pageData)};\n`);
  await fs.writeFile(path.join(dir, 'explorer.js'), pageScript());
  await fs.writeFile(path.join(dir, 'index.html'), indexHtml(pageData.title));
  await writeProjector(path.join(dir, 'projector'), {
    features,
    metadata: classes
      ? { header: ['file', 'class', 'knn'], rows: names.map((p, i) => [p, classes.classNames[classes.labels[i]], classes.classNames[predicted![i]]]) }
      : { header: ['file'], rows: names.map((p) => [p]) },
    sprite: await projectorSprite(thumbs),
  });
  let knnTop1: number | undefined;
  if (classes && predicted) knnTop1 = predicted.filter((c, i) => c === classes.labels[i]).length / features.n;
  return { images: features.n, dim: features.dim, map: map.method, labelled: !!classes, knnTop1 };
}

/** Classes when `data` is an ImageFolder (every image in a class folder, ≥ 2 classes); else none. */
function classesOf(data: string, paths: string[]): PathLabels | undefined {
  try {
    return labelsForPaths(data, paths);
  } catch {
    return undefined;
  }
}

async function thumbnails(paths: string[], concurrency: number, maxPixels: number): Promise<Uint8Array[]> {
  const limit = pLimit(concurrency);
  // these files were just decoded by embed(): they decode again
  return Promise.all(paths.map((p) => limit(() => decodeToRgb(p, THUMB, { maxPixels }))));
}

/** The projector takes one sprite sheet of at most 8192²: 32-px thumbnails up to 65,536 images, none above. */
async function projectorSprite(thumbs: Uint8Array[]): Promise<{ png: Buffer; thumb: number } | undefined> {
  const cols = Math.ceil(Math.sqrt(thumbs.length));
  if (cols * THUMB > MAX_SHEET_SIDE) return undefined;
  const [png] = await spriteSheets(thumbs, spriteLayout(THUMB, cols));
  return { png, thumb: THUMB };
}

function firstOf(lists: NeighborLists, k: number): NeighborLists {
  if (k === lists.k) return lists;
  const n = lists.indices.length / lists.k;
  const indices = new Int32Array(n * k);
  const scores = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    indices.set(lists.indices.subarray(i * lists.k, i * lists.k + k), i * k);
    scores.set(lists.scores.subarray(i * lists.k, i * lists.k + k), i * k);
  }
  return { k, indices, scores };
}

function base64(a: Float32Array | Int32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/** How to look at an explorer folder. */
export function openHint(out: string): string {
  const page = path.resolve(out, 'index.html');
  return `open ${pathToFileURL(page).href} in a browser (or serve ${out} from any static host); ` +
    `TensorBoard projector: tensorboard --logdir ${path.join(out, 'projector')}`;
}
