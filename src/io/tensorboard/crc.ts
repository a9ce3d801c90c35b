/**
 * CRC32C (Castagnoli) and the "masked" form TFRecord framing stores: a CRC of data that
 * itself contains CRCs is weak, so TensorFlow rotates and offsets the value before storing it.
 */
import CRC32C from 'crc-32/crc32c.js';

/** CRC32C of `bytes` as an unsigned 32-bit integer (the library returns a signed int32). */
export function crc32c(bytes: Uint8Array): number {
  return CRC32C.buf(bytes) >>> 0;
}

export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}
