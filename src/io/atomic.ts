/**
 * Safe writes: a reader sees either the previous file (or directory) or the new one, never
 * half of either, and a failure or a kill leaves the previous version intact.
 *
 * Files: write a temp sibling, fsync it, rename it over the target, fsync the directory
 * (rename is atomic within one file system, which is why the temp lives in the same directory).
 *
 * Directories: rename cannot replace a non-empty directory, so the swap takes two renames
 * (old → `<dir>.old-<pid>`, temp → dir). A kill between them leaves only `.old-*`;
 * `recoverDir` (called first by every `replaceDirAtomic`) puts it back. Only one process may
 * write a given directory at a time: recovery treats every `.old-*` / `.tmp-*` sibling as stale.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

let tempCounter = 0;

/** A unique hidden sibling name for `target`, in the same directory (same file system). */
function tempSibling(target: string, tag = 'tmp'): string {
  const dir = path.dirname(target);
  return path.join(dir, `.${path.basename(target)}.${tag}-${process.pid}-${tempCounter++}`);
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Make a completed rename durable. Some file systems refuse to fsync a directory: that only
 *  weakens durability after a power cut, never atomicity, so it is not an error. */
async function fsyncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // see above
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * A file written incrementally to a temp sibling and renamed over `target` on `commit()`.
 * The building block of `writeFileAtomic` and of streaming writers (e.g. `NpyWriter`).
 */
export class AtomicFile {
  private constructor(
    readonly target: string,
    private readonly tempPath: string,
    private handle: fs.FileHandle | undefined,
  ) {}

  static async open(target: string): Promise<AtomicFile> {
    const tmp = tempSibling(target);
    try {
      return new AtomicFile(target, tmp, await fs.open(tmp, 'wx'));
    } catch (err) {
      throw new Error(`cannot write ${target}: ${reason(err)}`, { cause: err });
    }
  }

  async write(data: Uint8Array): Promise<void> {
    const handle = this.openHandle();
    try {
      await handle.writeFile(data);
    } catch (err) {
      await this.abort();
      throw new Error(`cannot write ${this.target}: ${reason(err)}`, { cause: err });
    }
  }

  /** Overwrite bytes already written (e.g. a header finalised at the end). */
  async writeAt(data: Uint8Array, position: number): Promise<void> {
    const handle = this.openHandle();
    try {
      await handle.write(data, 0, data.length, position);
    } catch (err) {
      await this.abort();
      throw new Error(`cannot write ${this.target}: ${reason(err)}`, { cause: err });
    }
  }

  /** fsync, close, rename into place. On failure the temp is removed and the target untouched. */
  async commit(): Promise<void> {
    const handle = this.openHandle();
    try {
      await handle.sync();
      await handle.close();
      this.handle = undefined;
      await fs.rename(this.tempPath, this.target);
    } catch (err) {
      await this.abort();
      throw new Error(`cannot write ${this.target}: ${reason(err)}`, { cause: err });
    }
    await fsyncDir(path.dirname(this.target));
  }

  /** Drop the temp file; the target is untouched. Safe to call more than once. */
  async abort(): Promise<void> {
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
    await fs.rm(this.tempPath, { force: true }).catch(() => undefined);
  }

  private openHandle(): fs.FileHandle {
    if (!this.handle) throw new Error(`cannot write ${this.target}: the file is already closed`);
    return this.handle;
  }
}

export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const file = await AtomicFile.open(target);
  await file.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  await file.commit();
}

/** Pretty-printed JSON with a trailing newline (diff- and cat-friendly). */
export async function writeJsonAtomic(target: string, value: unknown): Promise<void> {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, null, 2);
  } catch (err) {
    throw new Error(`cannot write ${target}: value is not JSON-serialisable (${reason(err)})`);
  }
  if (text === undefined) throw new Error(`cannot write ${target}: value is not JSON-serialisable`);
  await writeFileAtomic(target, text + '\n');
}

/** Siblings of `dir` left by an interrupted `replaceDirAtomic`, by kind. */
async function leftovers(dir: string): Promise<{ old: string[]; tmp: string[] }> {
  const parent = path.dirname(dir);
  const base = path.basename(dir);
  let names: string[];
  try {
    names = await fs.readdir(parent);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { old: [], tmp: [] };
    throw err;
  }
  // Exact shapes of the names this module makes, so that e.g. a user's `ckpt.old-backup` stays.
  const isOld = (n: string) => n.startsWith(`${base}.old-`) && /^\d+$/.test(n.slice(base.length + 5));
  const isTmp = (n: string) => n.startsWith(`.${base}.tmp-`) && /^\d+-\d+$/.test(n.slice(base.length + 6));
  const full = (n: string) => path.join(parent, n);
  return { old: names.filter(isOld).map(full), tmp: names.filter(isTmp).map(full) };
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Repair `dir` after a `replaceDirAtomic` that was killed: if `dir` is missing but a
 * `<dir>.old-*` exists (killed between the two renames), the old version is put back; stale
 * `.old-*` and temp siblings are removed. Returns true when `dir` was restored.
 */
export async function recoverDir(dir: string): Promise<boolean> {
  try {
    const { old, tmp } = await leftovers(dir);
    let restored = false;
    if (old.length > 0 && !(await exists(dir))) {
      // Several can only exist after repeated crashes; the newest is the last good version.
      const stats = await Promise.all(old.map(async (p) => ({ p, t: (await fs.stat(p)).mtimeMs })));
      const newest = stats.reduce((a, b) => (b.t > a.t ? b : a)).p;
      await fs.rename(newest, dir);
      await fsyncDir(path.dirname(dir));
      old.splice(old.indexOf(newest), 1);
      restored = true;
    }
    await Promise.all([...old, ...tmp].map((p) => fs.rm(p, { recursive: true, force: true })));
    return restored;
  } catch (err) {
    throw new Error(`cannot recover ${dir}: ${reason(err)}`, { cause: err });
  }
}

/** fsync every regular file under `dir`, so the swapped-in directory survives a power cut
 *  whatever way `fill` wrote its files. */
async function fsyncTree(dir: string): Promise<void> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await fsyncTree(p);
    else if (entry.isFile()) {
      const handle = await fs.open(p, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  }
  await fsyncDir(dir);
}

/**
 * Replace directory `dir` with one built by `fill(tmpDir)`. Until the swap, `dir` is the
 * previous version; if `fill` throws, the temp directory is removed and `dir` is untouched.
 * The whole directory is replaced: files in `dir` that `fill` does not write are gone after.
 */
export async function replaceDirAtomic(
  dir: string,
  fill: (tmpDir: string) => Promise<void>,
): Promise<void> {
  await recoverDir(dir);
  const tmp = tempSibling(dir);
  const old = `${dir}.old-${process.pid}`;
  try {
    await fs.mkdir(path.dirname(dir), { recursive: true });
    await fs.mkdir(tmp);
  } catch (err) {
    throw new Error(`cannot write ${dir}: ${reason(err)}`, { cause: err });
  }
  try {
    await fill(tmp);
    await fsyncTree(tmp);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw new Error(`cannot write ${dir}: ${reason(err)}`, { cause: err });
  }
  let hadOld = false;
  try {
    hadOld = await exists(dir);
    if (hadOld) await fs.rename(dir, old);
    await testOnlySwapDelay();
    await fs.rename(tmp, dir);
  } catch (err) {
    // Put the previous version back before reporting.
    if (hadOld && !(await exists(dir).catch(() => true))) await fs.rename(old, dir).catch(() => undefined);
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw new Error(`cannot write ${dir}: ${reason(err)}`, { cause: err });
  }
  await fsyncDir(path.dirname(dir));
  if (hadOld) await fs.rm(old, { recursive: true, force: true });
}

/** Test hook: SIMCLR_TEST_SWAP_DELAY_MS widens the window between the two renames, so that the
 *  kill/resume test (test/reliability/killResume.test.ts) can SIGKILL a process inside it. */
async function testOnlySwapDelay(): Promise<void> {
  const ms = Number(process.env.SIMCLR_TEST_SWAP_DELAY_MS ?? 0);
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
}
