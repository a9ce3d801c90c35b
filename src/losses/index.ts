export { CONTRASTIVE_MARGIN, CONTRASTIVE_STATS, contrastiveLoss, contrastiveLossWithStats } from './contrastive.js';
export type { ContrastiveOptions, ContrastiveStats } from './contrastive.js';
export { contrastiveLogits } from './contrastiveLogits.js';
export type { ContrastiveLogits, ContrastiveLogitsOptions } from './contrastiveLogits.js';
export { MASKED_LOGIT, maskedLogits, pairMasks } from './contrastiveMasks.js';
export type { PairMasks, PairRule } from './contrastiveMasks.js';
export { CONTRASTIVE_LOGIT_STATS, contrastiveStatMeans, contrastiveStatSums } from './contrastiveStats.js';
export {
  cosineSimilarityMatrix,
  DISTANCE_METRICS,
  euclideanFromSquared,
  l2Normalize,
  pairwiseDistances,
  pairwiseSquaredDistances,
} from './distances.js';
export type { DistanceMetric } from './distances.js';
export { INFO_NCE_TEMPERATURE, infoNceLoss } from './infoNce.js';
export { KeyQueue, MOCO_QUEUE_SIZE } from './keyQueue.js';
export type { KeyQueueState } from './keyQueue.js';
export { mocoLogits, mocoLoss, mocoLossWithStats } from './moco.js';
export type { MocoStats } from './moco.js';
export { emaUpdate } from './momentumEncoder.js';
export { binaryNce, nceLoss } from './nce.js';
export type { NceOptions } from './nce.js';
export { NT_XENT_TEMPERATURE, ntXentLoss, ntXentWithStats } from './ntXent.js';
export { crossEntropyGivenLse, positiveWeights, rowLogSumExp, softmaxCrossEntropy } from './softmaxCrossEntropy.js';
export { stopGradient } from './stopGradient.js';
export { TRIPLET_MARGIN, TRIPLET_STATS, tripletLoss, tripletLossWithStats } from './triplet.js';
export type { TripletOptions, TripletStats } from './triplet.js';
export { mineTripletIndices, mineTriplets, negativeShares, TRIPLET_MININGS } from './tripletMining.js';
export type { NegativeShares, Triplet, TripletMining } from './tripletMining.js';
export { viewLogits } from './contrastiveLogits.js';
export type { ViewLogitsOptions } from './contrastiveLogits.js';
export { stackViews, viewLabels } from './views.js';
export { positivePredicate } from './views.js';
export type { GroupRelation } from './views.js';
export { RANKING_MARGIN, RANKING_STATS, rankingLoss, rankingLossWithStats } from './ranking.js';
export type { RankingOptions } from './ranking.js';
export { drawNegatives, stepNegatives } from './negativeSampling.js';
export type { NegativeSample } from './negativeSampling.js';
