import type { PretrainOptions } from '../../config/pretrainOptions.js';
import type { SimclrModel } from '../../models/simclrModel.js';
import type { Optimizer } from '../../optim/optimizer.js';
import { ntXentStep } from './ntXentStep.js';
import type { TrainStep } from './trainStep.js';

/** The training step of the objective named by --loss. */
export function createTrainStep(options: PretrainOptions, model: SimclrModel, optimizer: Optimizer): TrainStep {
  switch (options.loss) {
    case 'ntxent':
      return ntXentStep(model, optimizer, options.temperature, { microBatch: options.microBatch });
  }
}

export type { StepOutcome, TrainStep } from './trainStep.js';
