import { Adam } from './adam.js';
import { Lars } from './lars.js';

export const OPTIMIZER_NAMES = ['lars', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

export function createOptimizer(name: OptimizerName, weightDecay: number): Lars | Adam {
  switch (name) {
    case 'lars':
      return new Lars({ weightDecay });
    case 'adam':
      return new Adam({ weightDecay });
  }
}

export { Adam, Lars };
export type { Optimizer, OptimizerState } from './optimizer.js';
export * from './schedule.js';
export { isExcludedFromDecay } from './optimizer.js';
