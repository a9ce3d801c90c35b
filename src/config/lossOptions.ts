import type { PretrainOptions } from './pretrainOptions.js';

/** The objectives `--loss` selects (src/train/steps/index.ts builds their steps). */
export const LOSS_NAMES = ['ntxent', 'infonce', 'moco', 'triplet', 'contrastive', 'nce'] as const;
export type LossName = (typeof LOSS_NAMES)[number];

/**
 * τ when --temperature is not given, each paper's default: SimCLR tuned 0.5 for NT-Xent;
 * InfoNCE/MoCo use 0.07 (MoCo v1), and so does NCE on cosine logits (InstDisc). The margin
 * losses (triplet, contrastive) have no temperature.
 */
const DEFAULT_TEMPERATURE: Partial<Record<LossName, number>> = { ntxent: 0.5, infonce: 0.07, moco: 0.07, nce: 0.07 };

/** Whether the loss is a softmax/logistic over similarities scaled by a temperature. */
export function usesTemperature(loss: LossName): boolean {
  return DEFAULT_TEMPERATURE[loss] !== undefined;
}

/** The temperature a run uses: --temperature, else the loss's paper default. */
export function lossTemperature(o: Pick<PretrainOptions, 'loss' | 'temperature'>): number {
  const fallback = DEFAULT_TEMPERATURE[o.loss];
  if (fallback === undefined) throw new Error(`--loss ${o.loss} has no temperature`);
  return o.temperature ?? fallback;
}

/** The options with the loss-dependent default filled in, so config.json records the τ used. */
export function withLossDefaults(o: PretrainOptions): PretrainOptions {
  return usesTemperature(o.loss) ? { ...o, temperature: lossTemperature(o) } : o;
}

/** One clear line for a loss option that is invalid or means nothing with this --loss. */
export function validateLossOptions(o: PretrainOptions): void {
  if (!LOSS_NAMES.includes(o.loss)) throw new Error(`--loss must be one of ${LOSS_NAMES.join(', ')}, got ${String(o.loss)}`);
  const pairLoss = !usesTemperature(o.loss);
  if (o.temperature !== undefined && !(o.temperature > 0)) throw new Error(`--temperature must be > 0, got ${o.temperature}`);
  if (o.temperature !== undefined && pairLoss) throw new Error(`--temperature has no meaning with --loss ${o.loss} (it uses --margin)`);
  if (o.margin !== undefined && !(o.margin > 0 && Number.isFinite(o.margin))) throw new Error(`--margin must be a positive number, got ${o.margin}`);
  if (o.margin !== undefined && !pairLoss) throw new Error(`--margin needs --loss triplet or contrastive, got ${o.loss}`);
  if (o.labels !== undefined && !pairLoss) {
    throw new Error(`--labels (same-class positives) needs --loss triplet or contrastive, got ${o.loss}`);
  }
  if (!Number.isInteger(o.queueSize) || o.queueSize < 1) throw new Error(`--queue-size must be a positive integer, got ${o.queueSize}`);
  if (!(o.mocoMomentum >= 0 && o.mocoMomentum <= 1)) throw new Error(`--moco-momentum must be in [0, 1], got ${o.mocoMomentum}`);
  if (!['all', 'hard', 'semi-hard'].includes(o.mining)) throw new Error(`--mining must be all, hard or semi-hard, got ${String(o.mining)}`);
  if (!['euclidean', 'cosine'].includes(o.distance)) throw new Error(`--distance must be euclidean or cosine, got ${String(o.distance)}`);
}
