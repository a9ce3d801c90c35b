import { VIEW_PROTOCOLS } from '../../augment/recipe.js';
import { BACKEND_NAMES } from '../backend/select.js';
import { KNN_DEFAULTS } from '../eval/knn.js';
import { DISTANCE_METRICS } from '../losses/distances.js';
import { MOCO_QUEUE_SIZE } from '../losses/keyQueue.js';
import { TRIPLET_MININGS } from '../losses/tripletMining.js';
import { BACKBONES } from '../models/resnet.js';
import { defaultsText, lossesTaking } from '../objectives/lossOptions.js';
import { LOSS_NAMES } from '../objectives/registry.js';
import { OPTIMIZER_NAMES } from '../optim/index.js';
import { MAP_METHODS } from '../explore/mapMethod.js';
import { LR_SCALINGS } from '../optim/schedule.js';
import { ON_NAN_POLICIES } from '../train/trainer.js';

/** The `simclr` subcommands that take flags from this table. */
export type Command = 'pretrain' | 'finetune' | 'probe' | 'embed' | 'export' | 'explore' | 'data' | 'ablate' | 'demo' | 'models';

/**
 * What an option means for a run, which decides where it comes from:
 * - result: decides what is learnt: recorded, restored on --resume, in an ablation grid's base, sweepable;
 * - input: where the training images are: recorded and in the grid's base, but --resume may point elsewhere;
 * - operational: how the run executes (backend, threads, logging): taken from each invocation;
 * - run: which run directory and what to do with it (out, resume, force).
 */
export type OptionKind = 'result' | 'input' | 'operational' | 'run';

/** Checks on a numeric value; the message says what was expected. */
export type NumberCheck = 'positiveInt' | 'nonNegativeInt' | 'positive' | 'nonNegative' | 'unit';

export interface OptionSpec {
  type: 'number' | 'string' | 'boolean';
  kind: OptionKind;
  commands: readonly Command[];
  help: string;
  /** Help text where one command means something more specific. */
  helpFor?: Partial<Record<Command, string>>;
  default?: unknown;
  /** A default where one command differs (fine-tuning's epochs, optimizer, lr, …). */
  defaultFor?: Partial<Record<Command, unknown>>;
  choices?: readonly unknown[];
  check?: NumberCheck;
  /** Commands that need it, with the line shown when it is missing. */
  required?: Partial<Record<Command, string>>;
  /** Repeatable (a list of strings). */
  array?: boolean;
}

const PRETRAIN = ['pretrain', 'ablate'] as const;
/** Pretraining and fine-tuning: the same meaning (fine-tuning's defaults in `defaultFor`). */
const TRAIN = [...PRETRAIN, 'finetune'] as const;

/**
 * Every flag of every command, once: name (camelCase key; the flag is its kebab-case form),
 * type, default, choices, help, kind and the commands that take it. The CLI's yargs options,
 * the options types, validation, config-file keys, what config.json records, what --resume may
 * override, what an ablation cell inherits and what a grid may sweep are all derived from it.
 */
export const OPTIONS = {
  // where and how a run executes
  data: { type: 'string', kind: 'input', commands: ['pretrain', 'embed', 'explore', 'ablate'], help: 'folder of images (searched recursively)', helpFor: { ablate: 'folder of unlabelled images every cell pretrains on', explore: 'folder of images; an ImageFolder (root/<class>/<image>) colours the map by class' }, required: { pretrain: 'pretrain needs --data <folder of images>', embed: 'embed needs --data <folder>', explore: 'explore needs --data <folder of images>', ablate: 'ablate needs --data <folder of images>' } },
  out: {
    type: 'string',
    kind: 'run',
    commands: ['pretrain', 'finetune', 'probe', 'embed', 'export', 'explore', 'data', 'ablate', 'demo'],
    help: 'output directory',
    helpFor: {
      pretrain: 'run directory (default: runs/pretrain-<time>)',
      finetune: 'run directory (default: runs/finetune-<time>)',
      probe: 'write every figure to this JSON file',
      embed: 'output .npy; paths go to <name>.paths.txt',
      export: 'output directory (replaced atomically)',
      explore: 'output folder: index.html, data files, embeddings.npy, projector/ (replaced atomically)',
      data: 'output folder (train/ and test/ inside)',
      ablate: 'grid directory (one run directory per cell)',
      demo: 'run directory (default: runs/sample-<time>)',
    },
    required: { embed: 'embed needs --out <file.npy>', export: 'export needs --out <dir>', explore: 'explore needs --out <dir>', data: 'data needs --out <dir>', ablate: 'ablate needs --out <grid dir>' },
  },
  backend: { type: 'string', kind: 'operational', commands: ['pretrain', 'finetune', 'probe', 'embed', 'export', 'explore', 'ablate', 'demo'], choices: BACKEND_NAMES, default: 'auto', help: 'tfjs backend (auto: the fastest installed)' },
  threads: { type: 'number', kind: 'operational', commands: ['pretrain', 'probe', 'embed', 'explore', 'ablate'], check: 'positiveInt', help: 'threads of the native onednn backend (default: OMP_NUM_THREADS, else every core)' },
  seed: { type: 'number', kind: 'result', commands: [...TRAIN, 'probe', 'explore'], default: 0, help: 'seed of the one RNG (views, order, init)', helpFor: { probe: 'seed of the held-out split and the label subsets', explore: 'seed of the map (UMAP)' } },
  // run length and batch
  epochs: { type: 'number', kind: 'result', commands: TRAIN, defaultFor: { finetune: 30 }, check: 'positive', help: 'passes over the data (default: 100); with --resume, a new length for the run', helpFor: { finetune: 'passes over the (subset of the) labelled images' } },
  steps: { type: 'number', kind: 'result', commands: PRETRAIN, check: 'positiveInt', help: 'optimizer steps (overrides --epochs); with --resume, a new length for the run' },
  initFrom: { type: 'string', kind: 'result', commands: PRETRAIN, help: 'start from the weights of a run, an encoder directory or a bundled encoder (the head too when the source has one)' },
  batchSize: { type: 'number', kind: 'result', commands: [...TRAIN, 'embed', 'explore'], default: 128, defaultFor: { finetune: 64 }, check: 'positiveInt', help: 'images per step (2× views)', helpFor: { embed: 'images embedded at once', explore: 'images embedded at once', finetune: 'labelled images per step (at most the training subset)' } },
  microBatch: { type: 'number', kind: 'result', commands: PRETRAIN, check: 'positiveInt', help: 'images per micro-batch: exact full-batch NT-Xent in the memory of one micro-batch (gradient caching; BN statistics per micro-batch)' },
  replicas: { type: 'number', kind: 'operational', commands: PRETRAIN, default: 1, check: 'positiveInt', help: 'training threads (data-parallel replicas in worker threads; wasm/cpu backends)' },
  // model
  imageSize: { type: 'number', kind: 'result', commands: [...TRAIN, 'probe', 'embed', 'explore'], default: 32, check: 'positiveInt', help: 'side of the square views fed to the encoder' },
  cacheSize: { type: 'number', kind: 'result', commands: PRETRAIN, check: 'positiveInt', help: 'side of the decoded-image cache crops come from (default: --image-size)' },
  backbone: { type: 'string', kind: 'result', commands: [...TRAIN, 'probe', 'embed', 'explore'], choices: BACKBONES, default: 'resnet18', help: 'encoder architecture' },
  width: { type: 'number', kind: 'result', commands: [...TRAIN, 'probe', 'embed', 'explore'], default: 0.25, check: 'positive', help: 'channel multiplier on the ResNet widths' },
  cifarStem: { type: 'boolean', kind: 'result', commands: [...TRAIN, 'probe', 'embed', 'explore'], help: '3×3 stride-1 stem, no max-pool (default: on up to 64 px)' },
  projDim: { type: 'number', kind: 'result', commands: PRETRAIN, default: 128, check: 'positiveInt', help: 'projection output dimension (z)' },
  projLayers: { type: 'number', kind: 'result', commands: PRETRAIN, default: 2, check: 'positiveInt', help: 'dense layers in the projection head' },
  // objective
  loss: { type: 'string', kind: 'result', commands: PRETRAIN, choices: LOSS_NAMES, default: 'ntxent', help: 'objective (see README: Objectives)' },
  temperature: { type: 'number', kind: 'result', commands: PRETRAIN, check: 'positive', help: `softmax temperature τ (default: ${defaultsText('temperature')})` },
  queueSize: { type: 'number', kind: 'result', commands: PRETRAIN, default: MOCO_QUEUE_SIZE, check: 'positiveInt', help: 'moco: keys in the queue (negatives per query)' },
  mocoMomentum: { type: 'number', kind: 'result', commands: PRETRAIN, default: 0.999, check: 'unit', help: 'moco: EMA momentum of the key encoder' },
  mining: { type: 'string', kind: 'result', commands: PRETRAIN, choices: TRIPLET_MININGS, default: 'semi-hard', help: 'triplet: online mining of negatives in the batch' },
  distance: { type: 'string', kind: 'result', commands: PRETRAIN, choices: DISTANCE_METRICS, default: 'euclidean', help: 'triplet: distance between normalised embeddings' },
  margin: { type: 'number', kind: 'result', commands: PRETRAIN, check: 'positive', help: `triplet α / contrastive m (default: ${defaultsText('margin')})` },
  labels: { type: 'string', kind: 'result', commands: PRETRAIN, help: 'triplet/contrastive/ranking/supcon: ImageFolder of the --data images; same class = positive (supcon needs it)' },
  pairs: { type: 'string', kind: 'result', commands: [...PRETRAIN, 'probe'], helpFor: { probe: 'held-out pairs among the --test images (paths relative to --test): recall@1/5/10 and MRR of each image’s partner among all test images' }, help: `${lossesTaking('pairs').join('/')}: file of similar image pairs (.csv, .tsv, .jsonl; paths relative to --data); paired images are positives, batches are sampled to hold pairs` },
  negatives: { type: 'number', kind: 'result', commands: PRETRAIN, check: 'positiveInt', help: `${lossesTaking('negatives').join('/')}: negative sampling, each anchor's softmax over its positives and K negatives drawn from the batch (moco: from its queue; seeded) instead of all` },
  negativesAfter: { type: 'number', kind: 'result', commands: PRETRAIN, default: 0, check: 'nonNegative', help: '--negatives: sample from this epoch on (all negatives before)' },
  pairsClosure: { type: 'boolean', kind: 'result', commands: PRETRAIN, help: '--pairs: make the relation transitive (every image of a connected group of pairs is a positive of every other)' },
  // optimisation
  optimizer: { type: 'string', kind: 'result', commands: TRAIN, choices: OPTIMIZER_NAMES, default: 'lars', defaultFor: { finetune: 'adam' }, help: 'optimizer' },
  lr: { type: 'number', kind: 'result', commands: TRAIN, default: 0.3, defaultFor: { finetune: 1e-3 }, check: 'positive', help: 'base learning rate (scaled by --lr-scaling)' },
  lrScaling: { type: 'string', kind: 'result', commands: TRAIN, choices: LR_SCALINGS, default: 'linear', defaultFor: { finetune: 'none' }, help: 'linear: lr×B/256, sqrt: lr×√B, none: lr' },
  weightDecay: { type: 'number', kind: 'result', commands: TRAIN, default: 1e-6, defaultFor: { finetune: 0 }, check: 'nonNegative', help: 'weight decay (not on BatchNorm or bias)' },
  warmupEpochs: { type: 'number', kind: 'result', commands: TRAIN, default: 10, defaultFor: { finetune: 0 }, check: 'nonNegative', help: 'linear warmup, then cosine decay' },
  // views
  augment: { type: 'string', kind: 'result', commands: PRETRAIN, help: "augmentation recipe, ops joined by + (default: crop+flip+color+grayscale up to 64 px, +blur above: the paper's CIFAR-10 / ImageNet recipes)" },
  colorStrength: { type: 'number', kind: 'result', commands: PRETRAIN, check: 'nonNegative', help: 'colour jitter strength s (default: 0.5 up to 64 px, 1.0 above)' },
  protocol: { type: 'string', kind: 'result', commands: PRETRAIN, choices: VIEW_PROTOCOLS, default: 'symmetric', help: "views: recipe on both (symmetric) or view 1 crop-only (paper's ablation)" },
  // data loading and bookkeeping
  concurrency: { type: 'number', kind: 'operational', commands: [...TRAIN, 'probe', 'embed', 'explore'], default: 8, check: 'positiveInt', help: 'images decoded at once' },
  workers: { type: 'number', kind: 'operational', commands: TRAIN, default: 1, check: 'nonNegativeInt', help: 'augmentation worker threads (0: main thread)' },
  maxPixels: { type: 'number', kind: 'input', commands: [...PRETRAIN, 'embed', 'explore'], default: 100_000_000, check: 'positiveInt', help: 'skip images with more pixels (decompression bombs)' },
  logEvery: { type: 'number', kind: 'operational', commands: TRAIN, default: 10, check: 'positiveInt', help: 'steps between metrics lines' },
  checkpointEvery: { type: 'number', kind: 'operational', commands: TRAIN, default: 100, check: 'positiveInt', help: 'steps between checkpoints' },
  onNan: { type: 'string', kind: 'operational', commands: TRAIN, choices: ON_NAN_POLICIES, default: 'stop', help: 'non-finite loss/gradient: stop the run, or skip the step and count it' },
  evalTrain: { type: 'string', kind: 'operational', commands: PRETRAIN, help: 'labelled ImageFolder the kNN monitor is fitted on while pretraining (with --eval-test)' },
  evalTest: { type: 'string', kind: 'operational', commands: PRETRAIN, help: 'labelled ImageFolder the kNN monitor is scored on while pretraining' },
  evalEvery: { type: 'number', kind: 'operational', commands: PRETRAIN, default: 100, check: 'positiveInt', help: 'steps between evaluations while pretraining (and one at the end)' },
  evalLinear: { type: 'boolean', kind: 'operational', commands: PRETRAIN, default: false, help: 'also a quick linear probe at each evaluation' },
  resume: { type: 'boolean', kind: 'run', commands: ['pretrain', 'finetune'], default: false, help: 'continue the run in --out from its checkpoint' },
  force: { type: 'boolean', kind: 'run', commands: ['pretrain', 'finetune', 'data'], default: false, help: 'overwrite an existing --out', helpFor: { data: 'overwrite existing train/ and test/ in --out' } },
  // evaluation (probe, embed, export, ablate's scoring)
  encoder: {
    type: 'string',
    kind: 'input',
    commands: ['finetune', 'probe', 'embed', 'explore'],
    help: 'run directory, encoder directory, a bundled encoder (simclr models), or a baseline: raw (pixels) / random (untrained)',
    helpFor: { finetune: 'run directory, encoder directory, a bundled encoder (simclr models), or random (the same architecture from scratch: --backbone, --width, --image-size)' },
    required: {
      finetune: 'finetune needs --encoder <run dir | encoder dir | bundled name | random>',
      probe: 'probe needs --encoder <run dir | encoder dir | bundled name | raw | random>',
      embed: 'embed needs --encoder <run dir | encoder dir | bundled name>',
      explore: 'explore needs --encoder <run dir | encoder dir | bundled name>',
    },
  },
  run: { type: 'string', kind: 'input', commands: ['export'], help: 'a finished run directory (or an encoder directory, or a bundled encoder)', required: { export: 'export needs --run <run dir>' } },
  train: { type: 'string', kind: 'input', commands: ['finetune', 'probe', 'ablate'], help: 'labelled training images, root/<class>/<image>', required: { finetune: 'finetune needs --train <labelled folder>', probe: 'probe needs --train <labelled folder>', ablate: 'ablate needs --train <labelled folder>' } },
  test: { type: 'string', kind: 'input', commands: ['finetune', 'probe', 'ablate'], help: 'labelled test images, same classes', required: { finetune: 'finetune needs --test <labelled folder>', probe: 'probe needs --test <labelled folder>', ablate: 'ablate needs --test <labelled folder>' } },
  baselines: { type: 'boolean', kind: 'result', commands: ['probe'], default: true, help: 'also score the raw and random baselines (--no-baselines to skip)' },
  compare: { type: 'string', kind: 'result', commands: ['probe'], array: true, default: [], help: 'other encoders scored beside --encoder on the same split (run dir, encoder dir or bundled name; repeatable), each paired against it and the baselines' },
  json: { type: 'boolean', kind: 'operational', commands: ['models'], default: false, help: 'print the model cards as JSON' },
  k: { type: 'number', kind: 'result', commands: ['probe', 'ablate', 'explore'], default: KNN_DEFAULTS.k, check: 'positiveInt', help: 'neighbours for kNN', helpFor: { explore: 'neighbours of the leave-one-out kNN whose misses are marked' } },
  // the explorer page
  neighbors: { type: 'number', kind: 'result', commands: ['explore'], default: 10, check: 'positiveInt', help: 'nearest neighbours listed for a clicked image' },
  map: { type: 'string', kind: 'result', commands: ['explore'], choices: MAP_METHODS, default: 'auto', help: 'the 2-D map: umap (seeded), pca, or auto (UMAP up to 5,000 images, PCA above)' },
  // labelled subsets and fine-tuning
  labelFraction: {
    type: 'string',
    kind: 'result',
    commands: ['finetune', 'probe'],
    help: 'train on a stratified, seeded share of the labels (0.01 = 1 % of each class)',
    helpFor: { probe: 'shares of the labels, e.g. 0.01,0.1,1: linear probe and kNN on each stratified, seeded subset (a row each)' },
  },
  perClass: {
    type: 'string',
    kind: 'result',
    commands: ['finetune', 'probe'],
    help: 'train on N labelled images of each class (stratified, seeded)',
    helpFor: { probe: 'images per class, e.g. 1,10,100: linear probe and kNN on each subset (a row each)' },
  },
  fromHeadLayer: { type: 'number', kind: 'result', commands: ['finetune'], default: 0, check: 'nonNegativeInt', help: "fine-tune from inside the projection head (SimCLRv2): keep its first k layers (0: from h; needs a run's checkpoint)" },
  // ablation grids
  ops: { type: 'string', kind: 'result', commands: ['ablate'], help: 'ops paired in order, every ordered pair a cell (n² cells), e.g. crop,cutout,color,sobel,noise,blur,rotate' },
  grid: { type: 'string', kind: 'result', commands: ['ablate'], array: true, default: [], help: 'sweep an option: key=v1,v2,... (repeatable; Cartesian product with --ops)' },
  jobs: { type: 'number', kind: 'operational', commands: ['ablate'], default: 1, check: 'positiveInt', help: 'cells run at once (> 1: child processes)' },
  shard: { type: 'string', kind: 'operational', commands: ['ablate'], help: 'run slice i/n of the cells, 0-based (default: from SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX)' },
  shardCount: { type: 'number', kind: 'operational', commands: ['ablate'], check: 'positiveInt', help: 'number of shards for JOB_COMPLETION_INDEX (or SIMCLR_SHARD_COUNT)' },
  // standard datasets
  from: { type: 'string', kind: 'input', commands: ['data'], help: 'folder holding the dataset files (else Debian’s, else download)' },
  trainPerClass: { type: 'number', kind: 'result', commands: ['data'], check: 'positiveInt', help: 'keep the first N training images of each class' },
  testPerClass: { type: 'number', kind: 'result', commands: ['data'], check: 'positiveInt', help: 'keep the first N test images of each class' },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;
type Table = typeof OPTIONS;

type ValueOf<S> = S extends { choices: readonly (infer V)[] }
  ? V
  : S extends { array: true }
    ? string[]
    : S extends { type: 'number' }
      ? number
      : S extends { type: 'boolean' }
        ? boolean
        : string;
type Takes<S, C extends Command> = S extends { commands: readonly (infer X)[] } ? (C extends X ? true : false) : false;
type HasDefault<S, C extends Command> = S extends { default: unknown } ? true : S extends { defaultFor: infer D } ? (C extends keyof D ? true : false) : false;
type IsRequired<S, C extends Command> = S extends { required: infer R } ? (C extends keyof R ? true : false) : false;
type Always<S, C extends Command> = HasDefault<S, C> extends true ? true : IsRequired<S, C>;

type KindOf<S> = S extends { kind: infer K } ? K : never;

/** The names of the options of `C` whose kind is one of `K`. */
export type NamesOfKind<C extends Command, K extends OptionKind> = {
  [N in keyof Table]: Takes<Table[N], C> extends true ? (KindOf<Table[N]> extends K ? N : never) : never;
}[keyof Table];

/** The options of one command: those with a default or required there are always set. */
export type OptionsOf<C extends Command> = {
  -readonly [K in keyof Table as Takes<Table[K], C> extends true ? (Always<Table[K], C> extends true ? K : never) : never]: ValueOf<Table[K]>;
} & {
  -readonly [K in keyof Table as Takes<Table[K], C> extends true ? (Always<Table[K], C> extends true ? never : K) : never]?: ValueOf<Table[K]>;
};

const SPECS = OPTIONS as Record<OptionName, OptionSpec>;

/** A bad command line (unknown flag, missing option, wrong choice): the CLI exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function optionSpec(name: OptionName): OptionSpec {
  return SPECS[name];
}

/** The table's names that `command` takes (of the given kinds), in table order. */
export function optionNames<C extends Command, K extends OptionKind = OptionKind>(command: C, kinds?: readonly K[]): NamesOfKind<C, K>[] {
  const all = Object.keys(SPECS) as OptionName[];
  return all.filter((n) => SPECS[n].commands.includes(command) && (!kinds || (kinds as readonly OptionKind[]).includes(SPECS[n].kind))) as NamesOfKind<C, K>[];
}

export function isOptionName(name: string): name is OptionName {
  return Object.hasOwn(SPECS, name);
}

/** `batchSize` → `batch-size`: the flag of a key. */
export function flagOf(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `batch-size` → `batchSize`: the key of a flag. */
export function keyOf(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The defaults of a command's options (those that have one). */
export function defaultsOf<C extends Command>(command: C): Partial<OptionsOf<C>> {
  const out: Record<string, unknown> = {};
  for (const n of optionNames(command)) {
    const value = defaultFor(n, command);
    if (value !== undefined) out[n] = value;
  }
  return out as Partial<OptionsOf<C>>;
}

/** The default of an option for one command (its own where it has one). */
export function defaultFor(name: OptionName, command: Command): unknown {
  const spec = SPECS[name];
  return spec.defaultFor && command in spec.defaultFor ? spec.defaultFor[command] : spec.default;
}

const CHECKS: Record<NumberCheck, { ok: (v: number) => boolean; expected: string }> = {
  positiveInt: { ok: (v) => Number.isInteger(v) && v >= 1, expected: 'a positive integer' },
  nonNegativeInt: { ok: (v) => Number.isInteger(v) && v >= 0, expected: 'an integer ≥ 0' },
  positive: { ok: (v) => Number.isFinite(v) && v > 0, expected: 'a positive number' },
  nonNegative: { ok: (v) => Number.isFinite(v) && v >= 0, expected: '≥ 0' },
  unit: { ok: (v) => v >= 0 && v <= 1, expected: 'in [0, 1]' },
};

/** One clear line if `value` is not a valid `name`; undefined (unset) is always valid here. */
export function checkOption(name: OptionName, value: unknown): void {
  if (value === undefined) return;
  const spec = SPECS[name];
  const flag = `--${flagOf(name)}`;
  const shown = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (spec.choices && !spec.choices.includes(value)) throw new Error(`${flag} must be one of ${spec.choices.join(', ')}, got ${shown}`);
  if (spec.type === 'number') {
    if (typeof value !== 'number' || Number.isNaN(value)) throw new Error(`${flag} must be a number, got ${shown}`);
    const check = spec.check && CHECKS[spec.check];
    if (check && !check.ok(value)) throw new Error(`${flag} must be ${check.expected}, got ${value}`);
  } else if (spec.type === 'boolean' && typeof value !== 'boolean') {
    throw new Error(`${flag} must be true or false, got ${shown}`);
  } else if (spec.type === 'string' && !spec.array && typeof value !== 'string') {
    throw new Error(`${flag} must be a string, got ${shown}`);
  }
}

/**
 * A command's options from parsed arguments (argv from yargs, a config file, an ablation's
 * base): only the table's keys for that command, defaults filled in, every value checked.
 * Extra keys (yargs' `_`, `$0`, kebab-case aliases) are dropped; `only` limits it to those names.
 */
export function optionsFrom<C extends Command, N extends OptionName = OptionName>(
  command: C,
  args: Record<string, unknown>,
  only?: readonly N[],
): Pick<OptionsOf<C>, N & keyof OptionsOf<C>> {
  const out: Record<string, unknown> = {};
  for (const name of optionNames(command)) {
    if (only && !(only as readonly string[]).includes(name)) continue;
    const spec = SPECS[name];
    const value = args[name] ?? args[flagOf(name)] ?? defaultFor(name, command);
    const missing = spec.required?.[command];
    if (value === undefined && missing) throw new UsageError(missing);
    checkOption(name, value);
    if (value !== undefined) out[name] = value;
  }
  return out as Pick<OptionsOf<C>, N & keyof OptionsOf<C>>;
}

/** `{ ...o }` restricted to the names given. */
export function pickOptions<T extends object>(o: T, names: readonly string[]): Partial<T> {
  const record = o as Record<string, unknown>;
  return Object.fromEntries(names.filter((n) => record[n] !== undefined).map((n) => [n, record[n]])) as Partial<T>;
}
