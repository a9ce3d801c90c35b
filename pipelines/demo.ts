import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { selectBackend } from '../src/backend/select.js';
import { optionsFrom } from '../src/config/options.js';
import { encoderDefaultsOf, type PretrainOptions } from '../src/config/pretrainOptions.js';
import { packageRoot } from '../src/config/packageRoot.js';
import { explore, openHint } from './explore.js';
import { formatComparison, formatSubsetMatrix, type ProbeReport } from '../src/eval/report.js';
import { bundledEncoders, type ModelCard } from '../src/run/bundledEncoders.js';
import { probe } from './probe.js';
import { pretrain } from './pretrain.js';

/** The bundled encoder the demo puts beside its own run. */
export const DEMO_ENCODER = 'fashion-mnist-resnet18-w0.25';

export interface DemoArgs {
  out: string;
  backend: PretrainOptions['backend'];
  /** Aborted: the pretrain stops after its step with a checkpoint, and the probe is skipped. */
  signal?: AbortSignal;
}

/**
 * `simclr demo` (`npm start`): pretrain on the bundled Fashion-MNIST sample with
 * experiments/sample/pretrain.json, then probe the encoder on the sample's labelled split next
 * to the bundled pretrained encoder and the raw-pixel and random-encoder baselines, at 1 %, 10 %
 * and all of the labels, and write the embedding explorer of the test images into the run
 * directory.
 */
export async function demo(args: DemoArgs): Promise<void> {
  const root = packageRoot();
  const config = JSON.parse(fs.readFileSync(path.join(root, 'experiments/sample/pretrain.json'), 'utf8')) as Record<string, unknown>;
  const sample = path.join(root, 'data/sample');
  // wasm runs one thread per process: there a replica per core (up to 2) is the quickest pretrain.
  const backend = await selectBackend(args.backend, { quiet: true });
  const replicas = backend.active === 'wasm' ? Math.max(1, Math.min(2, os.cpus().length)) : 1;
  const options = { ...optionsFrom('pretrain', { ...config, data: path.join(sample, 'train'), backend: args.backend, replicas }), out: args.out };
  console.error(`pretraining on the bundled sample (${options.data}) into ${options.out}`);
  const result = await pretrain(options, { signal: args.signal });
  console.log(`pretrain done: step ${result.finalStep}/${result.totalSteps}, final loss ${result.lastLoss.toFixed(4)}, run in ${result.out}`);
  if (result.finalStep < result.totalSteps) return;
  // The payoff, side by side: this short run, the bundled encoder pretrained on all 60k
  // Fashion-MNIST training images, raw pixels and an untrained encoder, at three label budgets.
  const bundled = bundledEncoders().find((b) => b.card.name === DEMO_ENCODER);
  const report = await probe({
    encoder: result.out,
    ...(bundled && { compare: [bundled.card.name] }),
    train: path.join(sample, 'train'),
    test: path.join(sample, 'test'),
    out: path.join(result.out, 'probe.json'),
    backend: args.backend,
    baselines: true,
    k: 20,
    labelFraction: '0.01,0.1,1',
    seed: options.seed,
    concurrency: options.concurrency,
    defaults: encoderDefaultsOf(options),
  });
  console.log(formatDemoTable(report, result.finalStep, bundled?.card));
  console.log(`\nrun directory: ${result.out} (TensorBoard: tensorboard --logdir ${result.out}); every probe figure: ${result.out}/probe.json`);
  const explorer = path.join(result.out, 'explore');
  const shown = await explore({
    ...optionsFrom('explore', { encoder: bundled?.dir ?? result.out, data: path.join(sample, 'test'), out: explorer, backend: args.backend, seed: options.seed }),
    defaults: encoderDefaultsOf(options),
  });
  console.log(`\nembedding explorer of the ${shown.images} test images by ${bundled ? `the bundled encoder ${bundled.card.name}` : 'this run'} (${shown.map.toUpperCase()} map): ${openHint(explorer)}`);
}

/** The demo's one table (linear and kNN top-1 at 1 %, 10 %, all labels) and its paired comparisons. */
export function formatDemoTable(report: ProbeReport, steps: number, bundled?: ModelCard): string {
  const names: Record<string, string> = {
    [report.encoder]: `this run (${steps} steps on the sample's 2k images)`,
    raw: 'raw pixels',
    random: 'random encoder (untrained)',
  };
  if (bundled) names[bundled.name] = `${bundled.name} (bundled: ${bundled.training.steps} steps on ${Math.round(bundled.data.images / 1000)}k images)`;
  const subsets = report.labelSubsets ?? [];
  const counts = [...new Set(subsets.map((r) => r.trainImages))].sort((a, b) => a - b).join(' / ');
  const lines = [
    '',
    `top-1 (%) on the sample's ${report.features.test} test images; classifiers fit on 1 %, 10 % and all of its labelled training images (${counts} images)`,
    ...formatSubsetMatrix(subsets, names),
    '',
    'paired over the same test images, linear probe on all labels:',
    ...(bundled && report.baselines?.[bundled.name]?.comparisons?.raw ? [formatComparison('raw pixels', report.baselines[bundled.name].comparisons!.raw, bundled.name)] : []),
    ...(report.comparisons?.raw ? [formatComparison('raw pixels', report.comparisons.raw, 'this run')] : []),
  ];
  return lines.join('\n');
}
