import fs from 'node:fs';
import path from 'node:path';
import { encoderDefaultsOf, PRETRAIN_DEFAULTS, type PretrainOptions } from '../src/config/pretrainOptions.js';
import { packageRoot } from '../src/config/packageRoot.js';
import { formatProbeSummary, probe } from './probe.js';
import { pretrain } from './pretrain.js';

export interface DemoArgs {
  out: string;
  backend: PretrainOptions['backend'];
}

/**
 * `simclr demo` (`npm start`): pretrain on the bundled Fashion-MNIST sample with
 * experiments/sample/pretrain.json, then probe the encoder on the sample's labelled split
 * next to the raw-pixel and random-encoder baselines.
 */
export async function demo(args: DemoArgs): Promise<void> {
  const root = packageRoot();
  const config = JSON.parse(fs.readFileSync(path.join(root, 'experiments/sample/pretrain.json'), 'utf8')) as Record<string, unknown>;
  const camel = Object.fromEntries(Object.entries(config).map(([k, v]) => [k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), v]));
  const sample = path.join(root, 'data/sample');
  const options = { ...PRETRAIN_DEFAULTS, ...camel, data: path.join(sample, 'train'), out: args.out, backend: args.backend } as PretrainOptions;
  console.error(`pretraining on the bundled sample (${options.data}) into ${options.out}`);
  const result = await pretrain(options);
  console.log(`pretrain done: step ${result.finalStep}/${result.totalSteps}, final loss ${result.lastLoss.toFixed(4)}, run in ${result.out}`);
  if (result.finalStep < result.totalSteps) return;
  const report = await probe({
    encoder: result.out,
    train: path.join(sample, 'train'),
    test: path.join(sample, 'test'),
    out: path.join(result.out, 'probe.json'),
    backend: args.backend,
    baselines: true,
    k: 20,
    seed: options.seed,
    concurrency: options.concurrency,
    defaults: encoderDefaultsOf(options),
  });
  console.log(formatProbeSummary(report));
  console.log(`\nrun directory: ${result.out} (TensorBoard: tensorboard --logdir ${result.out}); probe figures: ${result.out}/probe.json`);
}
