import { lossTemperature } from '../../config/lossOptions.js';
import type { PretrainOptions } from '../../config/pretrainOptions.js';
import type { SimclrModel } from '../../models/simclrModel.js';
import type { Optimizer } from '../../optim/optimizer.js';
import { startReplicaPool } from '../parallel/replicaPool.js';
import { infoNceStep } from './infoNceStep.js';
import { mocoStep } from './mocoStep.js';
import { nceStep } from './nceStep.js';
import { microBatchSize } from './gradientCache.js';
import { ntXentStep } from './ntXentStep.js';
import { contrastiveStep, tripletStep } from './pairLossStep.js';
import type { TrainStep } from './trainStep.js';

/**
 * The training step of the objective named by --loss. `labels` (the class of every dataset
 * image, from --labels) makes the triplet and contrastive losses supervised.
 */
export function createTrainStep(options: PretrainOptions, model: SimclrModel, optimizer: Optimizer, labels?: Int32Array): TrainStep {
  switch (options.loss) {
    case 'ntxent':
      // With replicas the batch is always micro-batched: one share of micro-batches per replica.
      return ntXentStep(model, optimizer, lossTemperature(options), {
        microBatch: options.replicas > 1 ? microBatchSize(options.batchSize, options.microBatch, options.replicas) : options.microBatch,
        pool: startReplicaPool(options.replicas, model.config),
      });
    case 'infonce':
      return infoNceStep(model, optimizer, lossTemperature(options));
    case 'nce':
      return nceStep(model, optimizer, lossTemperature(options));
    case 'moco':
      return mocoStep(model, optimizer, { temperature: lossTemperature(options), queueSize: options.queueSize, momentum: options.mocoMomentum });
    case 'triplet':
      return tripletStep(model, optimizer, { margin: options.margin, mining: options.mining, distance: options.distance, labels });
    case 'contrastive':
      return contrastiveStep(model, optimizer, { margin: options.margin, labels });
  }
}

export type { StepContext, StepOutcome, TrainStep } from './trainStep.js';
