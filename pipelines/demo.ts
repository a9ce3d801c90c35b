import fs from 'node:fs';
import path from 'node:path';
import { optionsFrom } from '../src/config/options.js';
import { encoderDefaultsOf, type PretrainOptions } from '../src/config/pretrainOptions.js';
import { packageRoot } from '../src/config/packageRoot.js';
import { explore, openHint } from './explore.js';
import { formatProbeSummary, probe } from './probe.js';
import { pretrain } from './pretrain.js';

export interface DemoArgs {
  out: string;
  backend: PretrainOptions['backend'];
  /** Aborted: the pretrain stops after its step with a checkpoint, and the probe is skipped. */
  signal?: AbortSignal;
}

/**
 * `simclr demo` (`npm start`): pretrain on the bundled Fashion-MNIST sample with
 * experiments/sample/pretrain.json, then probe the encoder on the sample's labelled split
 * next to the raw-pixel and random-encoder baselines, and write the embedding explorer of the
 * test images into the run directory.
 */
export async function demo(args: DemoArgs): Promise<void> {
  const root = packageRoot();
  const config = JSON.parse(fs.readFileSync(path.join(root, 'experiments/sample/pretrain.json'), 'utf8')) as Record<string, unknown>;
  const sample = path.join(root, 'data/sample');
  const options = { ...optionsFrom('pretrain', { ...config, data: path.join(sample, 'train'), backend: args.backend }), out: args.out };
  console.error(`pretraining on the bundled sample (${options.data}) into ${options.out}`);
  const result = await pretrain(options, { signal: args.signal });
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
  const explorer = path.join(result.out, 'explore');
  const shown = await explore({
    ...optionsFrom('explore', { encoder: result.out, data: path.join(sample, 'test'), out: explorer, backend: args.backend, seed: options.seed }),
    defaults: encoderDefaultsOf(options),
  });
  console.log(`\nembedding explorer of the ${shown.images} test images (${shown.map.toUpperCase()} map): ${openHint(explorer)}`);
}
