/**
 * simclr-ts/browser: the exported encoder in a web page. An ES module with no Node imports;
 * it needs only @tensorflow/tfjs-core and -layers, plus whichever backend the page registers.
 */
export { loadEncoder, type BrowserEncoder } from './encoder.js';
export { coverGeometry, imageToRgb, type BrowserImage, type Preprocessing } from './preprocess.js';
