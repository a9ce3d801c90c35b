import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { replaceDirAtomic } from '../../src/io/atomic.js';
import { dirLoadHandler, dirSaveHandler, loadTensorMap, saveTensorMap } from '../../src/io/modelStore.js';

let root: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'io-model-'));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

function smallModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [6, 6, 3], filters: 4, kernelSize: 3, activation: 'relu' }));
  model.add(tf.layers.batchNormalization());
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dense({ units: 5 }));
  return model;
}

const input = () => tf.tensor4d(Float32Array.from({ length: 2 * 6 * 6 * 3 }, (_, i) => Math.sin(i)), [2, 6, 6, 3]);

describe('dirSaveHandler / dirLoadHandler', () => {
  it('saves model.json + weights.bin and reloads a model with identical predictions', async () => {
    const dir = path.join(root, 'encoder');
    const start = tf.memory().numTensors;
    const model = smallModel();
    const before = tf.memory().numTensors;
    await model.save(dirSaveHandler(dir));
    expect((await fs.readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.convertedBy).toBeNull();
    expect(json.generatedBy).toMatch(/TensorFlow\.js/);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    const specBytes = json.weightsManifest[0].weights.reduce(
      (s: number, w: { shape: number[] }) => s + 4 * w.shape.reduce((a, b) => a * b, 1),
      0,
    );
    expect((await fs.stat(path.join(dir, 'weights.bin'))).size).toBe(specBytes);
    expect(tf.memory().numTensors).toBe(before);

    const loaded = await tf.loadLayersModel(dirLoadHandler(dir));
    const x = input();
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    tf.dispose([x, a, b]);
    loaded.dispose();

    // Saving again replaces the directory (old extra files are gone).
    await fs.writeFile(path.join(dir, 'stale.txt'), 'x');
    await model.save(dirSaveHandler(dir));
    expect((await fs.readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  describe('rejects broken directories with a clear message', () => {
    let dir: string;
    let model: tf.Sequential;
    beforeEach(async () => {
      dir = path.join(root, 'enc');
      model = smallModel();
      await model.save(dirSaveHandler(dir));
      model.dispose();
    });
    const editJson = async (edit: (j: { weightsManifest: Array<{ paths: string[] }> }) => void) => {
      const p = path.join(dir, 'model.json');
      const j = JSON.parse(await fs.readFile(p, 'utf8'));
      edit(j);
      await fs.writeFile(p, JSON.stringify(j));
    };
    const load = () => tf.loadLayersModel(dirLoadHandler(dir));

    it('missing model.json', async () => {
      await fs.rm(path.join(dir, 'model.json'));
      await expect(load()).rejects.toThrow(`model dir ${dir}: model.json not found`);
    });
    it('malformed model.json', async () => {
      await fs.writeFile(path.join(dir, 'model.json'), '{"modelTopology": ');
      await expect(load()).rejects.toThrow(`model dir ${dir}: model.json is not valid JSON`);
      await fs.writeFile(path.join(dir, 'model.json'), '[1]');
      await expect(load()).rejects.toThrow('model.json is not a JSON object');
    });
    it('no weightsManifest', async () => {
      await editJson((j) => delete (j as Partial<typeof j>).weightsManifest);
      await expect(load()).rejects.toThrow('model.json has no weightsManifest');
    });
    it('missing weights.bin', async () => {
      await fs.rm(path.join(dir, 'weights.bin'));
      await expect(load()).rejects.toThrow(`model dir ${dir}: weights.bin not found`);
    });
    it('truncated weights.bin', async () => {
      const p = path.join(dir, 'weights.bin');
      const full = await fs.readFile(p);
      await fs.writeFile(p, full.subarray(0, full.length - 4));
      await expect(load()).rejects.toThrow(
        `weight files [weights.bin] hold ${full.length - 4} bytes, the manifest needs ${full.length}`,
      );
    });
    it("manifest path '../x.bin'", async () => {
      await fs.copyFile(path.join(dir, 'weights.bin'), path.join(root, 'x.bin'));
      await editJson((j) => (j.weightsManifest[0].paths = ['../x.bin']));
      await expect(load()).rejects.toThrow("weight path '../x.bin' points outside its directory");
    });
    it('absolute manifest path', async () => {
      const abs = path.join(root, 'x.bin');
      await fs.copyFile(path.join(dir, 'weights.bin'), abs);
      await editJson((j) => (j.weightsManifest[0].paths = [abs]));
      await expect(load()).rejects.toThrow(`weight path '${abs}' points outside its directory`);
    });
    it('a sub-directory path inside the dir is fine', async () => {
      await fs.mkdir(path.join(dir, 'shards'));
      await fs.rename(path.join(dir, 'weights.bin'), path.join(dir, 'shards', 'w.bin'));
      await editJson((j) => (j.weightsManifest[0].paths = ['shards/w.bin']));
      const m = await load();
      expect(m.layers.length).toBe(4);
      m.dispose();
    });
  });
});

describe('saveTensorMap / loadTensorMap', () => {
  it('round-trips float32, int32 and bool tensors with metadata, without leaks', async () => {
    const dir = path.join(root, 'ckpt');
    const before = tf.memory().numTensors;
    const tensors = {
      'model/conv/kernel': tf.tensor([1.5, -2, 3e-39, 4], [2, 2]),
      'optimizer/step': tf.scalar(7, 'int32'),
      mask: tf.tensor([true, false, true], [3], 'bool'),
      empty: tf.zeros([0, 3]),
    };
    await saveTensorMap(dir, tensors, { step: 12, lr: 0.1 });
    expect((await fs.readdir(dir)).sort()).toEqual(['meta.json', 'tensors.bin', 'tensors.json']);
    const { tensors: back, meta } = await loadTensorMap(dir);
    expect(meta).toEqual({ step: 12, lr: 0.1 });
    expect(Object.keys(back)).toEqual(Object.keys(tensors));
    for (const [name, t] of Object.entries(tensors)) {
      expect([back[name].dtype, back[name].shape]).toEqual([t.dtype, t.shape]);
      expect(Array.from(await back[name].data())).toEqual(Array.from(await t.data()));
    }
    tf.dispose(Object.values(back));
    tf.dispose(Object.values(tensors));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad input and broken directories with a clear message', async () => {
    const dir = path.join(root, 'ckpt');
    const before = tf.memory().numTensors;
    const [t, u, s] = [tf.tensor([1, 2, 3]), tf.tensor([4, 5], [2], 'int32'), tf.tensor(['a'])];
    await expect(saveTensorMap(dir, { s }, {})).rejects.toThrow('tensor s has unsupported dtype string');
    await expect(saveTensorMap(dir, { t }, [1] as unknown as object)).rejects.toThrow('meta must be a JSON object');
    await expect(saveTensorMap(dir, { t: [1] as unknown as tf.Tensor }, {})).rejects.toThrow('t is not a tensor');
    await saveTensorMap(dir, { t, u }, { step: 1 });
    tf.dispose([t, u, s]);
    expect(tf.memory().numTensors).toBe(before);
    await expect(saveTensorMap(dir, { t }, {})).rejects.toThrow('tensor t is disposed');

    const where = `tensor map ${dir}`;
    const bin = path.join(dir, 'tensors.bin');
    const full = await fs.readFile(bin);
    await fs.writeFile(bin, full.subarray(0, 10));
    await expect(loadTensorMap(dir)).rejects.toThrow(`${where}: tensors.bin holds 10 bytes, tensors.json needs 20`);
    await fs.rm(bin);
    await expect(loadTensorMap(dir)).rejects.toThrow(`${where}: tensors.bin not found`);
    await fs.writeFile(bin, full);

    const idxPath = path.join(dir, 'tensors.json');
    const idx = JSON.parse(await fs.readFile(idxPath, 'utf8'));
    await fs.writeFile(idxPath, JSON.stringify({ ...idx, tensors: [{ ...idx.tensors[0], shape: [4] }, idx.tensors[1]] }));
    await expect(loadTensorMap(dir)).rejects.toThrow('entry t has offset/byteLength inconsistent with its shape');
    await fs.writeFile(idxPath, JSON.stringify({ ...idx, tensors: [idx.tensors[0], idx.tensors[0]] }));
    await expect(loadTensorMap(dir)).rejects.toThrow('tensor t appears twice');
    await fs.writeFile(idxPath, '{"format":"other"}');
    await expect(loadTensorMap(dir)).rejects.toThrow('tensors.json is not a simclr-ts-tensor-map index');
    await fs.writeFile(idxPath, 'not json');
    await expect(loadTensorMap(dir)).rejects.toThrow(`${where}: tensors.json is not valid JSON`);
    await fs.writeFile(idxPath, JSON.stringify(idx));
    await fs.writeFile(path.join(dir, 'meta.json'), '{');
    await expect(loadTensorMap(dir)).rejects.toThrow(`${where}: meta.json is not valid JSON`);
  });

  it('composes inside replaceDirAtomic (a checkpoint or export with extra files)', async () => {
    const dir = path.join(root, 'export');
    const t = tf.tensor([1, 2]);
    const model = smallModel();
    await replaceDirAtomic(dir, async (tmp) => {
      await model.save(dirSaveHandler(tmp));
      await fs.writeFile(path.join(tmp, 'README.md'), 'hi');
    });
    await replaceDirAtomic(path.join(root, 'ckpt'), (tmp) => saveTensorMap(tmp, { t }, { step: 3 }));
    expect((await fs.readdir(root)).sort()).toEqual(['ckpt', 'export']);
    expect((await fs.readdir(dir)).sort()).toEqual(['README.md', 'model.json', 'weights.bin']);
    const { tensors, meta } = await loadTensorMap(path.join(root, 'ckpt'));
    expect([meta, Array.from(await tensors.t.data())]).toEqual([{ step: 3 }, [1, 2]]);
    const loaded = await tf.loadLayersModel(dirLoadHandler(dir));
    expect(loaded.countParams()).toBe(model.countParams());
    tf.dispose([t, tensors.t]);
    loaded.dispose();
    model.dispose();
  });
});
