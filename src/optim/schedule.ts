/**
 * SimCLR's learning-rate schedule: the base rate scaled with the batch size, a linear
 * warmup from 0, then cosine decay to 0 at the last step.
 */
export const LR_SCALINGS = ['linear', 'sqrt', 'none'] as const;
export type LrScaling = (typeof LR_SCALINGS)[number];

/** Linear: lr × B / 256 (the paper's LARS rule); sqrt: lr × √B (better for small batches / long runs). */
export function scaledLearningRate(baseLr: number, batchSize: number, scaling: LrScaling): number {
  switch (scaling) {
    case 'linear':
      return (baseLr * batchSize) / 256;
    case 'sqrt':
      return baseLr * Math.sqrt(batchSize);
    case 'none':
      return baseLr;
  }
}

export interface Schedule {
  peakLr: number;
  warmupSteps: number;
  totalSteps: number;
}

export function learningRateAt(step: number, { peakLr, warmupSteps, totalSteps }: Schedule): number {
  if (step < warmupSteps) return (peakLr * (step + 1)) / warmupSteps;
  const decaySteps = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / decaySteps);
  return 0.5 * peakLr * (1 + Math.cos(Math.PI * progress));
}
