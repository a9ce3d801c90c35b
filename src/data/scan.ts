import type { Dirent, Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** A file that was found but cannot be used, and why (a short kebab-case reason). */
export interface SkippedFile {
  path: string;
  reason: string;
  /** The underlying message, when there is one (not shown in summaries). */
  detail?: string;
}

export interface ScanResult {
  /** Image files in a deterministic order (code-point order of names, depth first). */
  files: string[];
  skipped: SkippedFile[];
}

export const IMAGE_EXTENSIONS: readonly string[] = ['jpg', 'jpeg', 'png', 'webp', 'avif', 'tif', 'tiff', 'gif'];

export interface ScanOptions {
  /** Lower-case extensions without the dot. */
  extensions?: readonly string[];
}

/**
 * Find every image under `root`. Symlinks are followed (to files and to directories) but a
 * directory is entered once only, so links back to an ancestor cannot loop. Hidden entries
 * (name starting with '.') are ignored; other non-image files are reported as skipped.
 */
export async function scanImages(root: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const extensions = new Set(opts.extensions ?? IMAGE_EXTENSIONS);
  const rootStat = await stat(root).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`data folder ${root} cannot be read (${err.code ?? err.message})`);
  });
  if (!rootStat.isDirectory()) throw new Error(`data folder ${root} is not a directory`);

  const result: ScanResult = { files: [], skipped: [] };
  const entered = new Set<string>([inodeKey(rootStat)]);
  await walk(root, [inodeKey(rootStat)], entered, extensions, result);
  return result;
}

async function walk(
  dir: string,
  ancestors: string[],
  entered: Set<string>,
  extensions: Set<string>,
  result: ScanResult,
): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    result.skipped.push({ path: dir, reason: 'unreadable-directory', detail: errorText(err) });
    return;
  }
  // Code-point order, not locale order: the same folder lists the same way everywhere.
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    let kind: EntryKind;
    try {
      kind = await entryKind(entry, full);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const reason = code === 'ELOOP' ? 'symlink-loop' : code === 'ENOENT' ? 'broken-symlink' : 'unreadable';
      result.skipped.push({ path: full, reason, detail: errorText(err) });
      continue;
    }

    if (kind.type === 'directory') {
      if (entered.has(kind.key)) {
        const reason = ancestors.includes(kind.key) ? 'directory-cycle' : 'duplicate-directory-link';
        result.skipped.push({ path: full, reason });
        continue;
      }
      entered.add(kind.key);
      await walk(full, [...ancestors, kind.key], entered, extensions, result);
    } else if (!extensions.has(path.extname(entry.name).slice(1).toLowerCase())) {
      result.skipped.push({ path: full, reason: 'not-an-image-extension' });
    } else if (kind.type !== 'file') {
      result.skipped.push({ path: full, reason: 'not-a-regular-file' });
    } else {
      result.files.push(full);
    }
  }
}

type EntryKind = { type: 'directory'; key: string } | { type: 'file' } | { type: 'other' };

/** What an entry is once symlinks are followed; directories carry their inode key. */
async function entryKind(entry: Dirent, full: string): Promise<EntryKind> {
  if (entry.isFile()) return { type: 'file' }; // the common case needs no stat
  const st = await stat(full); // follows links; throws ELOOP on a link loop
  if (st.isDirectory()) return { type: 'directory', key: inodeKey(st) };
  return { type: st.isFile() ? 'file' : 'other' };
}

function inodeKey(st: Stats): string {
  return `${st.dev}:${st.ino}`;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
