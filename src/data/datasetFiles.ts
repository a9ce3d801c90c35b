import { access, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { downloadFile } from './download.js';

export interface DownloadMirror {
  /** Ends with '/'; each file is fetched from baseUrl + its name. */
  baseUrl: string;
  md5: Record<string, string>;
}

export interface LocateOptions {
  /** For messages, e.g. 'Fashion-MNIST'. */
  dataset: string;
  /** The files a dataset needs (gzipped names are also found already gunzipped). */
  names: readonly string[];
  /** A user-given folder: when set, it must hold every file and nothing else is tried. */
  from?: string;
  /** Folders searched in order (system copies), then `cacheDir`, then a download into it. */
  searchDirs: readonly string[];
  cacheDir: string;
  mirror: DownloadMirror;
  /** Appended to a failed download's error: how to get the files another way. */
  offlineHint: string;
}

/** The folder that holds all of a dataset's files, downloading them only as a last resort. */
export async function locateDatasetFiles(opts: LocateOptions): Promise<{ dir: string; downloaded: boolean }> {
  if (opts.from) {
    const missing = await missingFiles(opts.from, opts.names);
    if (missing.length > 0) throw new Error(`${opts.from} lacks the ${opts.dataset} file(s) ${missing.join(', ')}`);
    return { dir: opts.from, downloaded: false };
  }
  for (const dir of [...opts.searchDirs, opts.cacheDir]) {
    if ((await missingFiles(dir, opts.names)).length === 0) return { dir, downloaded: false };
  }
  await mkdir(opts.cacheDir, { recursive: true });
  try {
    for (const name of await missingFiles(opts.cacheDir, opts.names)) {
      await downloadFile(opts.mirror.baseUrl + name, path.join(opts.cacheDir, name), { md5: opts.mirror.md5[name] });
    }
  } catch (err) {
    throw new Error(`${(err as Error).message}; ${opts.offlineHint}`);
  }
  return { dir: opts.cacheDir, downloaded: true };
}

/** `name` in `dir`, or the same file already gunzipped. */
export async function findFile(dir: string, name: string): Promise<string | undefined> {
  for (const candidate of [name, name.replace(/\.gz$/, '')]) {
    const file = path.join(dir, candidate);
    if (await access(file).then(() => true, () => false)) return file;
  }
  return undefined;
}

async function missingFiles(dir: string, names: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const name of names) if (!(await findFile(dir, name))) missing.push(name);
  return missing;
}

/** `$XDG_CACHE_HOME/simclr-ts/<dataset>` (default `~/.cache/...`). */
export function datasetCacheDir(dataset: string): string {
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'simclr-ts', dataset);
}
