/**
 * Evaluation preprocessing: the decoded cache is already resized (shorter side) and
 * centre-cropped to the encoder's input size, so features need only bytes → [0, 1].
 * Recorded in an export's preprocessing.json so other tools feed the encoder the same way.
 */
export const PREPROCESSING = {
  channelOrder: 'RGB',
  layout: 'NHWC',
  resize: 'shorter side to the input size (sharp, lanczos3), then centre crop (odd margins: one more pixel off the left/top)',
  scale: 'value / 255, no mean/std normalisation',
} as const;

export function toUnitFloats(pixels: Uint8Array): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] / 255;
  return out;
}
