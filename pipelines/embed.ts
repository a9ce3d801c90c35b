import fs from 'node:fs/promises';
import { compactDecoded, decodeFilesInto } from '../augment/decodeBatch.js';
import { selectBackend, type BackendName } from '../src/backend/select.js';
import { formatSkipped } from '../src/data/dataset.js';
import { scanImages, type SkippedFile } from '../src/data/scan.js';
import { writeFileAtomic } from '../src/io/atomic.js';
import { NpyWriter } from '../src/io/npy.js';
import type { EncoderSpecDefaults } from '../src/models/featureExtractor.js';
import { loadFeatureExtractor } from '../src/run/loadEncoder.js';

export interface EmbedArgs {
  encoder: string;
  data: string;
  out: string;
  backend: BackendName;
  /** Threads of the onednn backend (default: all cores). */
  threads?: number;
  batchSize: number;
  concurrency: number;
  maxPixels: number;
  defaults: EncoderSpecDefaults;
}

export interface EmbedResult {
  rows: number;
  dim: number;
  skipped: SkippedFile[];
  pathsFile: string;
}

/** `emb.npy` → `emb.paths.txt`: one source path per row, same order. */
export function pathsFileFor(npy: string): string {
  return npy.replace(/\.npy$/i, '') + '.paths.txt';
}

/**
 * `simclr embed`: h for every image of a folder, written as float32 .npy plus a .paths.txt.
 * Images are decoded and embedded a batch at a time, so a folder larger than memory works;
 * unreadable files are skipped and counted, never given a row.
 */
export async function embed(args: EmbedArgs, log: (line: string) => void = console.error): Promise<EmbedResult> {
  if (!args.out.toLowerCase().endsWith('.npy')) throw new Error(`--out must name a .npy file, got ${args.out}`);
  const backend = await selectBackend(args.backend, { quiet: true, threads: args.threads });
  log(`backend: ${backend.active}`);
  const encoder = await loadFeatureExtractor(args.encoder, args.defaults);
  const scan = await scanImages(args.data);
  const skipped = [...scan.skipped];
  const size = encoder.inputSize;
  const perImage = size * size * 3;
  const writer = await NpyWriter.open(args.out, [-1, encoder.dim], 'float32');
  const paths: string[] = [];
  try {
    for (let start = 0; start < scan.files.length; start += args.batchSize) {
      const files = scan.files.slice(start, start + args.batchSize);
      const batch = new Uint8Array(files.length * perImage);
      const failures = await decodeFilesInto(files, size, batch, { maxPixels: args.maxPixels, concurrency: args.concurrency });
      const { kept: good, failed } = compactDecoded(files, failures, batch, perImage);
      skipped.push(...failed);
      if (good.length === 0) continue;
      await writer.write(encoder.embed(batch, good.length));
      paths.push(...good);
      log(`embedded ${paths.length}/${scan.files.length}`);
    }
    if (paths.length === 0) throw new Error(`no readable images in ${args.data}${skipped.length ? ` (${formatSkipped(skipped)})` : ''}`);
    await writer.close();
  } catch (err) {
    await writer.abort();
    throw err;
  } finally {
    encoder.dispose();
  }
  const pathsFile = pathsFileFor(args.out);
  await writeFileAtomic(pathsFile, paths.join('\n') + '\n');
  await fs.access(args.out);
  if (skipped.length > 0) log(formatSkipped(skipped));
  return { rows: paths.length, dim: encoder.dim, skipped, pathsFile };
}
