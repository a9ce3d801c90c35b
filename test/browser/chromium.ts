import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';

/** A system Chromium: CHROME_PATH, else the usual Debian/Ubuntu paths; undefined if none. */
export function findChromium(): string | undefined {
  const candidates = [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return candidates.find((p): p is string => !!p && fs.existsSync(p));
}

export const NO_CHROMIUM_NOTICE = 'browser tests skipped: no Chromium found (set CHROME_PATH, or apt-get install chromium)';

/**
 * Headless Chromium that works as root on a closed network: no sandbox, no background
 * connections (refused here), a fresh profile, WebGL on SwiftShader (software GL).
 */
export async function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
    ],
  });
}

/** Console errors and uncaught page errors, collected for assertions. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.bin': 'application/octet-stream',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** A static file server on 127.0.0.1 (ephemeral port): URL path /a/b → mounts[a]/b, else mounts['']/a/b. */
export async function serveStatic(mounts: Record<string, string>): Promise<StaticServer> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const [, first, ...rest] = decodeURIComponent(url.pathname).split('/');
    // a mount named by the first segment, else the root mount ('') for the whole path
    const [root, within] = first in mounts ? [mounts[first], rest] : [mounts[''], [first, ...rest]];
    const file = root && path.resolve(root, within.join('/'));
    if (!file || !file.startsWith(path.resolve(root)) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** An ES-module bundle (minified) of a browser entry file or source text; `simclr-ts/browser` resolves to the sources. */
export async function bundle(from: { entry: string } | { source: string }, outFile: string): Promise<number> {
  const browserEntry = path.resolve('src/browser/index.ts');
  const result = await build({
    ...('source' in from ? { stdin: { contents: from.source, resolveDir: path.resolve('.'), loader: 'ts' as const } } : { entryPoints: [from.entry] }),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    outfile: outFile,
    alias: { 'simclr-ts/browser': browserEntry },
    logLevel: 'silent',
  });
  if (result.errors.length) throw new Error(result.errors.map((e) => e.text).join('; '));
  return fs.statSync(outFile).size;
}
