import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { addSavingNothing, residualAdd } from '../../src/models/residualAdd.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the residual Add layer', () => {
  it('keeps no tensor on the gradient tape, where stock Add keeps both inputs', () => {
    const savedBy = (add: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor) => {
      const a = tf.variable(tf.randomNormal([2, 3], 0, 1, 'float32', 1));
      const b = tf.randomNormal([2, 3], 0, 1, 'float32', 2);
      let saved = -1;
      const { value, grads } = tf.variableGrads(() => {
        const y = tf.sum(tf.square(add(tf.mul(a, 2), b))) as tf.Scalar;
        const tape = (tf.engine() as unknown as { state: { activeTape: { kernelName: string; saved?: tf.Tensor[] }[] } }).state.activeTape;
        saved = tape.filter((n) => n.kernelName === 'Add' || n.kernelName.startsWith('unnamed')).reduce((s, n) => s + (n.saved?.length ?? 0), 0);
        return y;
      }, [a]);
      const g = Array.from(grads[a.name].dataSync());
      tf.dispose([a, b, value, ...Object.values(grads)]);
      return { saved, g };
    };
    const stock = savedBy((a, b) => tf.add(a, b));
    const lean = savedBy(addSavingNothing);
    expect(stock.saved).toBe(2);
    expect(lean.saved).toBe(0);
    lean.g.forEach((v, i) => expect(v).toBeCloseTo(stock.g[i], 6));
  });

  it('saves as the stock Add class and loads as this one', async () => {
    const input = tf.input({ shape: [3] });
    const d = tf.layers.dense({ units: 3 }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: residualAdd({}).apply([input, d]) as tf.SymbolicTensor });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    expect(JSON.stringify(saved!.modelTopology)).toContain('"class_name":"Add"');
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    expect(loaded.layers[2].constructor).toBe(model.layers[2].constructor);
    const x = tf.randomNormal([2, 3], 0, 1, 'float32', 3);
    const [p, q] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(q.dataSync())).toEqual(Array.from(p.dataSync()));
    tf.dispose([x, p, q]);
    model.dispose();
    loaded.dispose();
  });

  it('falls back to the stock add for inputs of different shapes (broadcasting)', () => {
    const layer = residualAdd({});
    const out = layer.apply([tf.ones([2, 3]), tf.tensor2d([[1], [2]])]) as tf.Tensor;
    expect(Array.from(out.dataSync())).toEqual([2, 2, 2, 3, 3, 3]);
    out.dispose();
  });
});
