import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { featureDim } from '../../src/models/resnet.js';
import { SimclrModel } from '../../src/models/simclrModel.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const config = { backbone: 'resnet18' as const, width: 0.125, imageSize: 16, cifarStem: true, projDim: 8, projLayers: 2 };

function firstValues(model: SimclrModel): number[] {
  const w = model.namedWeights();
  return ['encoder/conv_1/kernel', 'head/proj_dense_1/kernel'].flatMap((k) => Array.from(w[k].dataSync().slice(0, 5)));
}

describe('SimclrModel', () => {
  it('gives h of the feature width and z of --proj-dim', () => {
    const m = SimclrModel.build(config);
    const x = tf.zeros([2, 16, 16, 3]) as tf.Tensor4D;
    const h = m.encoder.predict(x) as tf.Tensor;
    const z = m.project(x, false);
    expect(h.shape).toEqual([2, featureDim('resnet18', 0.125)]);
    expect(featureDim('resnet18', 0.125)).toBe(64);
    expect(featureDim('resnet50', 1)).toBe(2048);
    expect(z.shape).toEqual([2, 8]);
    tf.dispose([x, h, z]);
    m.dispose();
  });

  it('initialises from the seed: same seed ⇒ same weights, another seed ⇒ others', () => {
    const a = SimclrModel.build({ ...config, seed: 3 });
    const b = SimclrModel.build({ ...config, seed: 3 });
    const c = SimclrModel.build({ ...config, seed: 4 });
    expect(firstValues(a)).toEqual(firstValues(b));
    expect(firstValues(a)).not.toEqual(firstValues(c));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('uses the stem the image size calls for', () => {
    const cifar = SimclrModel.build(config);
    const imagenet = SimclrModel.build({ ...config, imageSize: 64, cifarStem: false });
    expect(cifar.encoder.layers.some((l) => l.name.startsWith('maxpool'))).toBe(false);
    expect(imagenet.encoder.layers.some((l) => l.name.startsWith('maxpool'))).toBe(true);
    cifar.dispose();
    imagenet.dispose();
  });
});
