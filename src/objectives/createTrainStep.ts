import type { SimclrModel } from '../models/simclrModel.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { TrainStep } from '../train/steps/trainStep.js';
import { lossTemperature, type LossOptions } from './lossOptions.js';
import { objectiveOf } from './registry.js';

/**
 * The training step of the objective named by --loss, with its paper default for an unset τ or
 * margin. `labels` (the class of every dataset image, from --labels) makes the objectives that
 * take labels supervised.
 */
export function createTrainStep<O extends LossOptions>(options: O, model: SimclrModel, optimizer: Optimizer, labels?: Int32Array): TrainStep {
  const objective = objectiveOf(options.loss);
  const parts = { model, optimizer, labels };
  return objective.kind === 'logits'
    ? objective.createStep({ ...options, temperature: lossTemperature(options) }, parts)
    : objective.createStep({ ...options, margin: options.margin ?? objective.margin }, parts);
}
