/**
 * preprocessing.json applied in the browser, as the Node side does it with sharp (augment/decode.ts):
 * alpha flattened onto white, the shorter side resized to the input size, a centre crop, then
 * bytes / 255. The crop geometry is sharp's (`fit: 'cover'`); the resampling kernel is the
 * browser's high-quality canvas scaler, not sharp's lanczos3, so only resized images differ
 * (images already at the input size give sharp's bytes exactly).
 */

/** What a browser can hand over: decoded images of any size. */
export type BrowserImage = HTMLImageElement | HTMLCanvasElement | ImageBitmap | ImageData | OffscreenCanvas;

/** The fields of an export's preprocessing.json this entry understands. */
export interface Preprocessing {
  inputShape: [number, number, number];
  outputDim: number;
  channelOrder: string;
  layout: string;
}

/** One clear error for a preprocessing.json this entry cannot follow. */
export function checkPreprocessing(p: Partial<Preprocessing>, where: string): Preprocessing {
  const shape = p.inputShape;
  if (!Array.isArray(shape) || shape.length !== 3 || shape[0] !== shape[1] || shape[2] !== 3 || !(shape[0] >= 1)) {
    throw new Error(`${where}: inputShape must be [S, S, 3], got ${JSON.stringify(shape)}`);
  }
  if (p.channelOrder !== 'RGB' || p.layout !== 'NHWC') {
    throw new Error(`${where}: expected channelOrder RGB and layout NHWC, got ${p.channelOrder} / ${p.layout}`);
  }
  if (!(typeof p.outputDim === 'number' && p.outputDim >= 1)) throw new Error(`${where}: outputDim missing`);
  return p as Preprocessing;
}

/** sharp's `resize(size, size, { fit: 'cover' })`: the scaled size and the centre crop's offset. */
export function coverGeometry(width: number, height: number, size: number): { width: number; height: number; left: number; top: number } {
  const scale = size / Math.min(width, height);
  const w = Math.max(size, Math.round(width * scale));
  const h = Math.max(size, Math.round(height * scale));
  // libvips' centre gravity rounds an odd margin's half up
  return { width: w, height: h, left: Math.ceil((w - size) / 2), top: Math.ceil((h - size) / 2) };
}

function sizeOf(image: BrowserImage): { width: number; height: number } {
  if (typeof HTMLImageElement !== 'undefined' && image instanceof HTMLImageElement) return { width: image.naturalWidth, height: image.naturalHeight };
  return { width: image.width, height: image.height };
}

function canvas2d(width: number, height: number): CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D {
  const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(width, height) : Object.assign(document.createElement('canvas'), { width, height });
  const ctx = canvas.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!ctx) throw new Error('no 2d canvas context in this browser');
  return ctx;
}

/** size × size × 3 RGB bytes of an image, preprocessed as the Node side decodes it. */
export function imageToRgb(image: BrowserImage, size: number): Uint8Array {
  const { width, height } = sizeOf(image);
  if (!(width > 0 && height > 0)) throw new Error('image has no pixels (not loaded yet?)');
  let source: CanvasImageSource = image as CanvasImageSource;
  if (typeof ImageData !== 'undefined' && image instanceof ImageData) {
    const holder = canvas2d(width, height);
    holder.putImageData(image, 0, 0);
    source = holder.canvas as CanvasImageSource;
  }
  const g = coverGeometry(width, height, size);
  const ctx = canvas2d(g.width, g.height);
  ctx.fillStyle = '#ffffff'; // sharp flattens alpha onto white
  ctx.fillRect(0, 0, g.width, g.height);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(source, 0, 0, g.width, g.height);
  const rgba = ctx.getImageData(g.left, g.top, size, size).data;
  const rgb = new Uint8Array(size * size * 3);
  for (let i = 0, n = size * size; i < n; i++) {
    rgb[3 * i] = rgba[4 * i];
    rgb[3 * i + 1] = rgba[4 * i + 1];
    rgb[3 * i + 2] = rgba[4 * i + 2];
  }
  return rgb;
}
