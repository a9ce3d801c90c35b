import { createHash } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runData } from '../../pipelines/data.js';
import { downloadFile } from '../../src/data/download.js';
import { exportFashionMnist, FASHION_MNIST_CLASSES } from '../../src/data/fashionMnist.js';
import { loadImageFolder } from '../../src/data/imageFolder.js';
import { idxBytes, tempDir } from './fixtures.js';

// A tiny stand-in for the real files: 5×4 images (non-square, to catch H/W mix-ups).
const H = 5;
const W = 4;
const N = { train: 25, test: 12 };
const pixel = (i: number, p: number) => (i * 37 + p * 5) % 256;
const label = (i: number) => (i * 3) % 10;

function splitFiles(n: number): { images: Buffer; labels: Buffer } {
  const images = Uint8Array.from({ length: n * H * W }, (_, k) => pixel(Math.floor(k / (H * W)), k % (H * W)));
  const labels = Uint8Array.from({ length: n }, (_, i) => label(i));
  return { images: gzipSync(idxBytes([n, H, W], images)), labels: gzipSync(idxBytes([n], labels)) };
}

function tinyDataset(): Record<string, Buffer> {
  const train = splitFiles(N.train);
  const test = splitFiles(N.test);
  return {
    'train-images-idx3-ubyte.gz': train.images,
    'train-labels-idx1-ubyte.gz': train.labels,
    't10k-images-idx3-ubyte.gz': test.images,
    't10k-labels-idx1-ubyte.gz': test.labels,
  };
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

describe('exportFashionMnist', () => {
  const files = tinyDataset();
  let root: string;
  let from: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir('fmnist'));
    from = path.join(root, 'from');
    await mkdir(from);
    for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(from, name), bytes);
  });
  afterAll(() => cleanup());

  it('writes the first N per class as grayscale PNGs holding the original pixels', async () => {
    const out = path.join(root, 'out');
    const progress: number[] = [];
    const result = await exportFashionMnist({ out, from, limitPerClass: { train: 2 }, onProgress: (d) => progress.push(d) });

    // Independent selection: walk the labels in order, keep the first two of each class.
    const want = (split: 'train' | 'test', n: number, limit: number) => {
      const taken = new Array(10).fill(0);
      const names: string[] = [];
      for (let i = 0; i < n; i++) {
        if (taken[label(i)]++ < limit) names.push(`${split}/${FASHION_MNIST_CLASSES[label(i)]}/${String(i).padStart(2, '0')}.png`);
      }
      return names;
    };
    const expected = [...want('test', N.test, Infinity), ...want('train', N.train, 2)].sort();
    expect(await listTree(out)).toEqual(expected);
    expect(result.perClass.train).toEqual(new Array(10).fill(2));
    expect(result.perClass.test).toEqual([2, 1, 1, 2, 1, 1, 1, 1, 1, 1]); // labels 0,3,6,9,2,5,8,1,4,7,0,3
    expect(result).toMatchObject({ sourceDir: from, downloaded: false });
    expect(progress).toEqual(Array.from({ length: expected.length }, (_, k) => k + 1));

    const file = path.join(out, 'train', FASHION_MNIST_CLASSES[label(13)], '13.png');
    expect(await sharp(file).metadata()).toMatchObject({ width: W, height: H, channels: 1, depth: 'uchar' });
    const { data, info } = await sharp(file).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ width: W, height: H, channels: 1 });
    expect(Array.from(data)).toEqual(Array.from({ length: H * W }, (_, p) => pixel(13, p)));
  });

  it('refuses to overwrite an export unless forced, and the result loads as an ImageFolder', async () => {
    const out = path.join(root, 'again');
    await exportFashionMnist({ out, from, limitPerClass: { train: 1, test: 1 } });
    await expect(exportFashionMnist({ out, from })).rejects.toThrow(`${path.join(out, 'train')} already exists: remove it, choose another --out, or pass --force`);
    await exportFashionMnist({ out, from, limitPerClass: { train: 1, test: 1 }, force: true });

    const train = await loadImageFolder(path.join(out, 'train'), { cacheSize: 4 });
    expect(train.classNames).toEqual([...FASHION_MNIST_CLASSES].sort());
    const test = await loadImageFolder(path.join(out, 'test'), { cacheSize: 4 }, train.classNames);
    expect(test.labels).toHaveLength(10);
  });

  it('runData prints a one-line summary and rejects an unknown dataset', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const out = path.join(root, 'cli');
      await runData({ dataset: 'fashion-mnist', out, from, trainPerClass: 1, testPerClass: 2 });
      expect(log).toHaveBeenCalledTimes(1);
      expect(log.mock.calls[0][0]).toMatch(
        new RegExp(`^fashion-mnist: 10 train \\+ 12 test images, 10 classes, written to ${out}/\\{train,test\\}/<class>/ in [0-9.]+ s \\(read from ${from}\\)$`),
      );
    } finally {
      log.mockRestore();
    }
    await expect(runData({ dataset: 'mnist' as 'cifar10', out: path.join(root, 'cli2') })).rejects.toThrow(
      'unknown dataset "mnist" (choose from fashion-mnist, cifar10)',
    );
  });

  it('names the missing files when --from lacks them', async () => {
    const partial = path.join(root, 'partial');
    await mkdir(partial);
    await writeFile(path.join(partial, 'train-labels-idx1-ubyte.gz'), files['train-labels-idx1-ubyte.gz']);
    await expect(exportFashionMnist({ out: path.join(root, 'x'), from: partial })).rejects.toThrow(
      `${partial} lacks the Fashion-MNIST file(s) train-images-idx3-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz`,
    );
  });

  describe('download', () => {
    let server: Server;
    let baseUrl: string;
    const requests: string[] = [];
    const checksums = Object.fromEntries(Object.entries(files).map(([name, b]) => [name, md5(b)]));

    beforeAll(async () => {
      ({ server, baseUrl } = await serve((req, res) => {
        requests.push(req.url ?? '');
        const body = files[(req.url ?? '').slice(1)];
        if (!body) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-length': body.length }).end(body);
      }));
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('downloads into the cache when neither --from nor the system copy exists, then reuses the cache', async () => {
      const cacheDir = path.join(root, 'cache');
      const systemDir = path.join(root, 'no-system-copy');
      const opts = { systemDir, cacheDir, mirror: { baseUrl, md5: checksums } };
      const result = await exportFashionMnist({ out: path.join(root, 'dl'), limitPerClass: { train: 1, test: 1 }, ...opts });
      expect(result).toMatchObject({ sourceDir: cacheDir, downloaded: true });
      expect(await listTree(cacheDir)).toEqual(Object.keys(files).sort());
      expect(requests.sort()).toEqual(Object.keys(files).map((f) => `/${f}`).sort());

      const again = await exportFashionMnist({ out: path.join(root, 'dl2'), limitPerClass: { train: 1, test: 1 }, ...opts });
      expect(again).toMatchObject({ sourceDir: cacheDir, downloaded: false });
      expect(requests).toHaveLength(4);
    });

    it('rejects a checksum mismatch and keeps nothing', async () => {
      const cacheDir = path.join(root, 'cache-md5');
      const wrong = { ...checksums, 'train-images-idx3-ubyte.gz': '0'.repeat(32) };
      await expect(
        exportFashionMnist({ out: path.join(root, 'dl3'), systemDir: path.join(root, 'none'), cacheDir, mirror: { baseUrl, md5: wrong } }),
      ).rejects.toThrow(/train-images-idx3-ubyte\.gz failed: MD5 mismatch: got [0-9a-f]{32}, expected 0{32}; install Debian's copy/);
      expect(await listTree(cacheDir)).not.toContain('train-images-idx3-ubyte.gz');
      expect((await listTree(cacheDir)).filter((f) => f.endsWith('.part'))).toEqual([]);
    });

    it('says how to get the files when offline', async () => {
      const closed = await serve(() => {});
      await new Promise<void>((resolve) => closed.server.close(() => resolve()));
      const err = exportFashionMnist({
        out: path.join(root, 'dl4'),
        systemDir: path.join(root, 'none'),
        cacheDir: path.join(root, 'cache-offline'),
        mirror: { baseUrl: closed.baseUrl, md5: checksums },
      });
      await expect(err).rejects.toThrow(
        `download of ${closed.baseUrl}train-images-idx3-ubyte.gz failed: ECONNREFUSED; install Debian's copy with "apt-get install dataset-fashion-mnist" or pass --from <dir> holding`,
      );
    });
  });
});

describe('downloadFile', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir: root, cleanup } = await tempDir('download')));
  afterAll(() => cleanup());

  it('reports HTTP errors, stalls and early closes, leaving no file behind', async () => {
    const { server, baseUrl } = await serve((req, res) => {
      if (req.url === '/missing') return void res.writeHead(404, 'Not Found').end();
      res.writeHead(200, { 'content-length': 100 });
      res.write(Buffer.alloc(40));
      if (req.url === '/short') res.socket?.destroy(); // connection drops after 40 of 100 bytes
      // '/stall': send nothing more
    });
    try {
      const dest = path.join(root, 'f.bin');
      await expect(downloadFile(`${baseUrl}missing`, dest)).rejects.toThrow(`download of ${baseUrl}missing failed: HTTP 404 Not Found`);
      await expect(downloadFile(`${baseUrl}stall`, dest, { idleTimeoutMs: 300 })).rejects.toThrow(`download of ${baseUrl}stall failed: no data for 0.3 s`);
      await expect(downloadFile(`${baseUrl}short`, dest)).rejects.toThrow(`download of ${baseUrl}short failed`);
      expect(await readdir(root)).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
