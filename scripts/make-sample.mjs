// Regenerates data/sample/ (see data/sample/README.md) from Debian's dataset-fashion-mnist.
// Run from the repository root after building: npm run build && node scripts/make-sample.mjs
import { fileURLToPath } from 'node:url';
import { runData } from '../dist/pipelines/data.js';

const out = fileURLToPath(new URL('../data/sample', import.meta.url));
await runData({
  dataset: 'fashion-mnist',
  out,
  from: '/usr/share/datasets/fashion-mnist',
  trainPerClass: 200,
  testPerClass: 100,
  force: true,
});
