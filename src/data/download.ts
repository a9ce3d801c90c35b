import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';

export interface DownloadOptions {
  /** Expected MD5 (hex) of the whole file; a mismatch is an error and nothing is kept. */
  md5?: string;
  /** Give up when no byte has arrived for this long. */
  idleTimeoutMs?: number;
  /** Where the progress bar goes (a TTY gets a live bar, anything else one line per file). */
  progress?: NodeJS.WriteStream;
}

/**
 * Fetch `url` into `dest` (written as `dest.part`, renamed when complete and verified, so an
 * interrupted download never looks finished). Errors name the URL and the cause in one line.
 */
export async function downloadFile(url: string, dest: string, opts: DownloadOptions = {}): Promise<void> {
  const controller = new AbortController();
  const idleMs = opts.idleTimeoutMs ?? 30_000;
  let idle = setTimeout(() => controller.abort(), idleMs);
  const part = `${dest}.part`;
  try {
    const res = await fetch(url, { signal: controller.signal });
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    const total = Number(res.headers.get('content-length')) || 0;
    const bar = progressBar(url.slice(url.lastIndexOf('/') + 1), total, opts.progress ?? process.stderr);
    const md5 = createHash('md5');
    let received = 0;
    await pipeline(
      Readable.fromWeb(res.body as ReadableStream<Uint8Array>),
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          clearTimeout(idle);
          idle = setTimeout(() => controller.abort(), idleMs);
          md5.update(chunk);
          received += chunk.length;
          bar.update(received);
          yield chunk;
        }
      },
      createWriteStream(part),
    );
    bar.finish(received);
    if (total > 0 && received !== total) throw new Error(`connection closed after ${received} of ${total} bytes`);
    const digest = md5.digest('hex');
    if (opts.md5 && digest !== opts.md5) throw new Error(`MD5 mismatch: got ${digest}, expected ${opts.md5}`);
    await rename(part, dest);
  } catch (err) {
    await rm(part, { force: true });
    const why = controller.signal.aborted ? `no data for ${idleMs / 1000} s` : causeText(err);
    throw new Error(`download of ${url} failed: ${why}`);
  } finally {
    clearTimeout(idle);
  }
}

/** fetch hides the useful part (ECONNREFUSED, ENOTFOUND, ...) in `cause`. */
function causeText(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

function progressBar(label: string, total: number, out: NodeJS.WriteStream) {
  const width = 30;
  let lastDraw = 0;
  const mb = (n: number) => (n / 1e6).toFixed(1);
  const line = (n: number) => {
    if (total <= 0) return `${label} ${mb(n)} MB`;
    const filled = Math.round((width * n) / total);
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${mb(n)}/${mb(total)} MB`;
  };
  return {
    update(n: number) {
      const now = Date.now();
      if (!out.isTTY || now - lastDraw < 100) return; // redraw at most 10×/s
      lastDraw = now;
      out.write(`\r${line(n)}`);
    },
    finish(n: number) {
      out.write(out.isTTY ? `\r${line(n)}\n` : `downloaded ${line(n)}\n`);
    },
  };
}
