export type { Features } from './features.js';
export { fitStandardizer, applyStandardizer, type Standardizer } from './standardize.js';
export { stratifiedSplit, type Split } from './stratifiedSplit.js';
export {
  trainLinearProbe,
  evaluateProbe,
  linearProbe,
  DEFAULT_LAMBDAS,
  type LinearProbeModel,
  type LinearProbeOptions,
  type LinearProbeResult,
  type LambdaTrial,
  type ProbeProgress,
} from './linearProbe.js';
export { KNN_DEFAULTS, knnClassify, type KnnOptions, type KnnResult } from './knn.js';
export { retrievalMetrics, type RetrievalMetrics, type RetrievalOptions } from './retrieval.js';
export { PAIR_RECALL_KS, pairRetrieval, type PairRetrieval } from './pairRetrieval.js';
export { formatProbeSummary, type ProbeReport, type EvalScores } from './report.js';
export { comparePaired, mcnemarExactLog10P, type PairedComparison } from './pairedComparison.js';
