import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNormalization } from '../../src/models/batchNormalization.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('BatchNormalization of a model loaded from model.json', () => {
  it('is the fusable layer in this process, and the saved file names the stock class', async () => {
    const model = tf.sequential({
      layers: [tf.layers.conv2d({ inputShape: [4, 4, 2], filters: 3, kernelSize: 3, padding: 'same' }), batchNormalization({})],
    });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    expect(JSON.stringify(saved!.modelTopology)).toContain('"class_name":"BatchNormalization"');
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    // The fused path (one oneDNN op in training) needs this class, not the stock one.
    expect(loaded.layers[1].constructor).toBe(model.layers[1].constructor);
    const x = tf.randomNormal([2, 4, 4, 2], 0, 1, 'float32', 1);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    tf.dispose([x, a, b, model, loaded].filter((t): t is tf.Tensor => t instanceof tf.Tensor));
    model.dispose();
    loaded.dispose();
  });
});
