export { createTrainStep } from './registry.js';
export {
  defaultsText,
  lossesTaking,
  lossTemperature,
  takesOption,
  usesTemperature,
  validateLossOptions,
  withLossDefaults,
} from './lossOptions.js';
export type { LossOptions } from './lossOptions.js';
export { isLossName, LOSS_NAMES, OBJECTIVES, objectiveOf } from './registry.js';
export type { LogitObjective, LossName, MarginObjective, Objective, ObjectiveOption, StepOptions, StepParts } from './registry.js';
