import * as tf from '@tensorflow/tfjs';
const { selectBackend } = await import('/work/main/dist/src/backend/select.js');
const { SimclrModel } = await import('/work/main/dist/src/models/simclrModel.js');
await selectBackend('onednn', { quiet: true });
const m = SimclrModel.build({ backbone: 'resnet18', width: 0.25, imageSize: 32, cifarStem: true, projDim: 64, projLayers: 2 });
const x = tf.randomUniform([512, 32, 32, 3]);
for (let i = 0; i < 2; i++) { const h = m.encoder.apply(x, { training: false }); await h.data(); h.dispose(); }
const t0 = performance.now();
const info = await tf.profile(async () => { const h = m.encoder.apply(x, { training: false }); await h.data(); h.dispose(); });
const by = {};
for (const k of info.kernels) { by[k.name] = by[k.name] ?? { n: 0, ms: 0 }; by[k.name].n++; by[k.name].ms += k.kernelTimeMs; }
console.log('wall', (performance.now() - t0).toFixed(0), 'ms');
console.log(Object.entries(by).sort((a, b) => b[1].ms - a[1].ms).slice(0, 12).map(([k, v]) => `${k} ${v.n} ${v.ms.toFixed(1)}`).join('\n'));
