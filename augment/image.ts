/**
 * The image type every augmentation op takes and returns: 3-channel RGB, HWC order,
 * float32 values in [0, 1]. Ops are pure functions of (image, params, rng) and return a
 * new image (never mutate their input: the decoded cache is shared by all views).
 */
export interface RgbImage {
  width: number;
  height: number;
  /** length = width * height * 3, HWC, values in [0, 1] */
  data: Float32Array;
}

export function createImage(width: number, height: number): RgbImage {
  return { width, height, data: new Float32Array(width * height * 3) };
}

export function cloneImage(img: RgbImage): RgbImage {
  return { width: img.width, height: img.height, data: img.data.slice() };
}

/** From interleaved 8-bit RGB (what sharp's `.raw()` gives for 3 channels). */
export function fromRgbBytes(bytes: Uint8Array, width: number, height: number): RgbImage {
  const data = new Float32Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = bytes[i] / 255;
  return { width, height, data };
}

/** To interleaved 8-bit RGB, clamped and rounded (for PNG summaries and sharp). */
export function toRgbBytes(img: RgbImage): Uint8Array {
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = img.data[i];
    out[i] = v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255);
  }
  return out;
}
