export { contrastiveLoss, contrastiveLossWithStats } from './contrastive.js';
export type { ContrastiveOptions, ContrastiveStats } from './contrastive.js';
export {
  cosineSimilarityMatrix,
  euclideanFromSquared,
  l2Normalize,
  pairwiseDistances,
  pairwiseSquaredDistances,
} from './distances.js';
export type { DistanceMetric } from './distances.js';
export { infoNceLoss } from './infoNce.js';
export { KeyQueue, MOCO_QUEUE_SIZE } from './keyQueue.js';
export type { KeyQueueState } from './keyQueue.js';
export { mocoLoss, mocoLossWithStats } from './moco.js';
export type { MocoStats } from './moco.js';
export { emaUpdate } from './momentumEncoder.js';
export { nceLoss } from './nce.js';
export { ntXentLoss, ntXentWithStats, readNtXentStats } from './ntXent.js';
export type { NtXentStats } from './ntXent.js';
export type { NceOptions } from './nce.js';
export { stopGradient } from './stopGradient.js';
export { tripletLoss, tripletLossWithStats } from './triplet.js';
export type { TripletOptions, TripletStats } from './triplet.js';
export { mineTripletIndices, mineTriplets, negativeShares } from './tripletMining.js';
export type { NegativeShares, Triplet, TripletMining } from './tripletMining.js';
export { stackViews, viewLabels } from './views.js';
