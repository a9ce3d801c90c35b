import { createImage, type RgbImage } from '../image.js';
import { checkImageSize } from './pixel.js';

/** An integer pixel box inside an image. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Bilinear resample of `box` of `img` to outWidth × outHeight, half-pixel centres and edge
 * clamping (tf.image.resize / torchvision bilinear without antialiasing).
 */
export function resizeBoxBilinear(img: RgbImage, box: Box, outWidth: number, outHeight: number): RgbImage {
  checkImageSize('resize', outWidth);
  checkImageSize('resize', outHeight);
  const out = createImage(outWidth, outHeight);
  const src = img.data;
  const dst = out.data;
  const sx = box.width / outWidth;
  const sy = box.height / outHeight;
  // Precompute the horizontal taps once per column: they are shared by every row.
  const x0s = new Int32Array(outWidth);
  const x1s = new Int32Array(outWidth);
  const wxs = new Float32Array(outWidth);
  for (let x = 0; x < outWidth; x++) {
    const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), box.width - 1);
    const ix = Math.floor(fx);
    x0s[x] = (box.x + ix) * 3;
    x1s[x] = (box.x + Math.min(ix + 1, box.width - 1)) * 3;
    wxs[x] = fx - ix;
  }
  const rowStride = img.width * 3;
  let o = 0;
  for (let y = 0; y < outHeight; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), box.height - 1);
    const iy = Math.floor(fy);
    const wy = fy - iy;
    const r0 = (box.y + iy) * rowStride;
    const r1 = (box.y + Math.min(iy + 1, box.height - 1)) * rowStride;
    for (let x = 0; x < outWidth; x++) {
      const a = r0 + x0s[x];
      const b = r0 + x1s[x];
      const c = r1 + x0s[x];
      const d = r1 + x1s[x];
      const wx = wxs[x];
      for (let ch = 0; ch < 3; ch++) {
        const top = src[a + ch] + (src[b + ch] - src[a + ch]) * wx;
        const bottom = src[c + ch] + (src[d + ch] - src[c + ch]) * wx;
        dst[o++] = top + (bottom - top) * wy;
      }
    }
  }
  return out;
}

/** Resize the whole image (bilinear); a copy when the size is unchanged. */
export function resizeBilinear(img: RgbImage, outWidth: number, outHeight: number): RgbImage {
  return resizeBoxBilinear(img, { x: 0, y: 0, width: img.width, height: img.height }, outWidth, outHeight);
}
