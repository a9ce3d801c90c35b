// Bundled by the equivalence test and loaded in Chromium: embeds images with simclr-ts/browser
// on a chosen backend and hands the numbers back to Node.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { imageToRgb, loadEncoder } from '../../src/browser/index.js';

setWasmPaths('/wasm/');

async function loadImage(url: string): Promise<HTMLImageElement> {
  const img = new Image();
  img.src = url;
  await img.decode();
  return img;
}

const api = {
  /** h of already-preprocessed bytes and of each image decoded by the browser itself. */
  async run(backend: string, encoderUrl: string, pixels: number[], n: number, imageUrls: string[]) {
    if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`);
    await tf.ready();
    const encoder = await loadEncoder(encoderUrl);
    const before = tf.memory().numTensors;
    const fromPixels = await encoder.embedPixels(Uint8Array.from(pixels), n);
    const images = await Promise.all(imageUrls.map(loadImage));
    const decoded = images.map((img) => Array.from(imageToRgb(img, encoder.inputSize)));
    // the other input types: an ImageBitmap, and the ImageData of the image drawn on a canvas
    const asBitmap = await Promise.all(images.map(async (img) => Array.from(imageToRgb(await createImageBitmap(img), encoder.inputSize))));
    const asImageData = images.map((img) => {
      const ctx = Object.assign(document.createElement('canvas'), { width: img.naturalWidth, height: img.naturalHeight }).getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      return Array.from(imageToRgb(ctx.getImageData(0, 0, img.naturalWidth, img.naturalHeight), encoder.inputSize));
    });
    const fromImages = [];
    for (const img of images) fromImages.push(Array.from(await encoder.embed(img)));
    const leaked = tf.memory().numTensors - before;
    encoder.dispose();
    const gl = backend === 'webgl' ? (tf.backend() as unknown as { gpgpu: { gl: WebGLRenderingContext } }).gpgpu.gl : undefined;
    const renderer = gl ? String(gl.getParameter(gl.getExtension('WEBGL_debug_renderer_info')?.UNMASKED_RENDERER_WEBGL ?? gl.RENDERER)) : undefined;
    return { active: tf.getBackend(), renderer, fromPixels: Array.from(fromPixels), decoded, asBitmap, asImageData, fromImages, leaked };
  },
};

(globalThis as unknown as { equivalence: typeof api }).equivalence = api;
