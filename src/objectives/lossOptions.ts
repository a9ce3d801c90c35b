import { DISTANCE_METRICS } from '../losses/distances.js';
import { TRIPLET_MININGS } from '../losses/tripletMining.js';
import { isLossName, LOSS_NAMES, type LossName, type ObjectiveOption, objectiveOf, OBJECTIVES, type StepOptions } from './registry.js';

/** What the objective options' validation and defaults read of a run's options (PretrainOptions fits it). */
export interface LossOptions extends StepOptions {
  loss: LossName;
  /** Unset: the objective's paper default. */
  temperature?: number;
  margin?: number;
  /** Path of the --labels ImageFolder. */
  labels?: string;
  /** Path of the --pairs file, and whether its relation is closed transitively. */
  pairs?: string;
  pairsClosure?: boolean;
}

/** Whether the loss is a softmax/logistic over similarities scaled by a temperature. */
export function usesTemperature(loss: LossName): boolean {
  return objectiveOf(loss).kind === 'logits';
}

/** The temperature a run uses: --temperature, else the loss's paper default. */
export function lossTemperature(o: Pick<LossOptions, 'loss' | 'temperature'>): number {
  const objective = objectiveOf(o.loss);
  if (objective.kind !== 'logits') throw new Error(`--loss ${o.loss} has no temperature`);
  return o.temperature ?? objective.temperature;
}

/** The options with the loss-dependent default filled in, so config.json records the τ used. */
export function withLossDefaults<T extends Pick<LossOptions, 'loss' | 'temperature'>>(o: T): T {
  return usesTemperature(o.loss) ? { ...o, temperature: lossTemperature(o) } : o;
}

export function takesOption(loss: LossName, option: ObjectiveOption): boolean {
  return objectiveOf(loss).takes.includes(option);
}

/** The objectives that take `option`, in registry order. */
export function lossesTaking(option: ObjectiveOption): LossName[] {
  return LOSS_NAMES.filter((loss) => takesOption(loss, option));
}

/** The paper defaults of every objective that has one, for help text: "0.5 ntxent, 0.07 infonce/moco/nce". */
export function defaultsText(option: 'temperature' | 'margin'): string {
  const byValue = new Map<number, string[]>();
  for (const [loss, objective] of Object.entries(OBJECTIVES)) {
    const value = option === 'temperature' ? ('temperature' in objective ? objective.temperature : undefined) : 'margin' in objective ? objective.margin : undefined;
    if (value !== undefined) byValue.set(value, [...(byValue.get(value) ?? []), loss]);
  }
  return [...byValue].map(([value, losses]) => `${value} ${losses.join('/')}`).join(', ');
}

/** One clear line for a loss option that means nothing with this --loss (values are checked by the option table). */
export function validateLossOptions(o: LossOptions): void {
  if (!isLossName(o.loss)) throw new Error(`--loss must be one of ${LOSS_NAMES.join(', ')}, got ${String(o.loss)}`);
  const objective = objectiveOf(o.loss);
  const refuse = (flag: string, option: ObjectiveOption) => new Error(`${flag} needs --loss ${orList(lossesTaking(option))}, got ${o.loss}`);
  if (o.temperature !== undefined && !takesOption(o.loss, 'temperature')) {
    throw new Error(`--temperature has no meaning with --loss ${o.loss}${objective.kind === 'margin' ? ' (it uses --margin)' : ''}`);
  }
  if (o.margin !== undefined && !takesOption(o.loss, 'margin')) throw refuse('--margin', 'margin');
  if (o.labels !== undefined && !takesOption(o.loss, 'labels')) throw refuse('--labels (same-class positives)', 'labels');
  if (o.loss === 'supcon' && o.labels === undefined) throw new Error('--loss supcon needs --labels <ImageFolder of the --data images> (same class = positive)');
  if (o.pairs !== undefined && !takesOption(o.loss, 'pairs')) throw refuse('--pairs (paired positives)', 'pairs');
  if (o.pairs !== undefined && o.labels !== undefined) throw new Error('--pairs and --labels both give positives: pass one');
  if (o.pairsClosure && o.pairs === undefined) throw new Error('--pairs-closure needs --pairs <file>');
  if (o.negatives !== undefined && !takesOption(o.loss, 'negatives')) throw refuse('--negatives (negative sampling)', 'negatives');
  if (o.negatives === undefined && (o.negativesAfter ?? 0) > 0) throw new Error('--negatives-after needs --negatives K');
}

/** "a", "a or b", "a, b or c". */
function orList(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
