import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { packageVersion } from './packageRoot.js';

/** Versions recorded in every run's config.json, for reproducibility. */
export function versions(): Record<string, string> {
  return {
    'simclr-ts': packageVersion(),
    '@tensorflow/tfjs': tf.version.tfjs,
    sharp: sharp.versions.sharp ?? 'unknown',
    vips: sharp.versions.vips,
    node: process.versions.node,
  };
}
