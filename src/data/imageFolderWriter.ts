import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import sharp from 'sharp';

/** One split of a labelled array dataset, to be written as `out/<name>/<class>/<index>.png`. */
export interface LabelledSplit {
  name: string;
  classNames: readonly string[];
  labels: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
  /** Image i as HWC bytes. */
  pixels(i: number): Uint8Array;
  /** Keep only the first N images of each class, in file order. */
  limitPerClass?: number;
}

export interface WriteFolderOptions {
  force?: boolean;
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Write each split as an ImageFolder tree of PNGs named by their zero-padded index in the
 * source (so name order is file order). Returns, per split, the images written per class.
 */
export async function writeImageFolders(out: string, splits: LabelledSplit[], opts: WriteFolderOptions = {}): Promise<Record<string, number[]>> {
  for (const split of splits) await prepareTarget(path.join(out, split.name), opts.force ?? false);
  const selections = splits.map(firstPerClass);
  const total = selections.reduce((n, s) => n + s.length, 0);
  const limit = pLimit(opts.concurrency ?? 8);
  let done = 0;
  const perClass: Record<string, number[]> = {};
  for (const [k, split] of splits.entries()) {
    const partial = path.join(out, `.${split.name}.partial`);
    await rm(partial, { recursive: true, force: true });
    for (const name of split.classNames) await mkdir(path.join(partial, name), { recursive: true });
    const digits = String(split.labels.length - 1).length;
    const { width, height, channels } = split;
    await Promise.all(
      selections[k].map((i) =>
        limit(async () => {
          const file = path.join(partial, split.classNames[split.labels[i]], `${String(i).padStart(digits, '0')}.png`);
          // 'b-w' keeps a one-channel PNG (sharp would otherwise write RGB).
          await sharp(split.pixels(i), { raw: { width, height, channels } })
            .toColourspace(channels === 1 ? 'b-w' : 'srgb')
            .png({ compressionLevel: 9, adaptiveFiltering: true })
            .toFile(file);
          opts.onProgress?.(++done, total);
        }),
      ),
    );
    // Appear complete or not at all: an interrupted export leaves only the hidden partial folder.
    await rename(partial, path.join(out, split.name));
    perClass[split.name] = split.classNames.map((_, c) => selections[k].filter((i) => split.labels[i] === c).length);
  }
  return perClass;
}

/** Indices of the first `limitPerClass` images of each class, in file order (all when no limit). */
function firstPerClass({ name, labels, classNames, limitPerClass = Infinity }: LabelledSplit): number[] {
  if (!(limitPerClass >= 0)) throw new Error(`images per class must be a non-negative number, got ${limitPerClass}`);
  const bad = labels.findIndex((l) => l >= classNames.length);
  if (bad >= 0) throw new Error(`${name} label ${bad} is ${labels[bad]}, expected 0–${classNames.length - 1}`);
  const taken = new Array<number>(classNames.length).fill(0);
  const chosen: number[] = [];
  labels.forEach((label, i) => {
    if (taken[label] < limitPerClass) {
      taken[label]++;
      chosen.push(i);
    }
  });
  return chosen;
}

async function prepareTarget(target: string, force: boolean): Promise<void> {
  const exists = await stat(target).then(() => true, () => false);
  if (exists && !force) throw new Error(`${target} already exists: remove it, choose another --out, or pass --force`);
  await rm(target, { recursive: true, force: true });
  await mkdir(path.dirname(target), { recursive: true });
}
