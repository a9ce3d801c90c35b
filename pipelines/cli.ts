import yargs, { type Argv } from 'yargs';
import { readConfigFile } from '../src/cli/configFile.js';
import { pick } from '../src/cli/options.js';
import { PRETRAIN_DEFAULTS, type PretrainOptions } from '../src/config/pretrainOptions.js';
import { packageVersion } from '../src/config/packageRoot.js';
import type { BackendName } from '../src/backend/select.js';
import type { EncoderSpecDefaults } from '../src/models/featureExtractor.js';
import type { Backbone } from '../src/models/resnet.js';
import { runData } from './data.js';
import { demo } from './demo.js';
import { embed } from './embed.js';
import { exportEncoder } from './export.js';
import { formatProbeSummary, probe } from './probe.js';
import { pretrain } from './pretrain.js';
import { signalExitCode } from '../src/train/trainer.js';

/** The `simclr` command: each subcommand is one pipeline; flags mean the same everywhere. */
export function buildCli(argv: string[]): Argv {
  return yargs(argv)
    .scriptName('simclr')
    .version(packageVersion())
    .config('config', 'JSON file of options (flag names in kebab- or camelCase); flags given on the command line win', readConfigFile)
    .command(
      'pretrain',
      'pretrain an encoder with SimCLR on a folder of unlabeled images',
      (y) =>
        y
          .options(pick('data', 'out', 'backend', 'seed', 'epochs', 'steps', 'batch-size', 'micro-batch', 'replicas', 'image-size', 'cache-size', 'backbone', 'width', 'cifar-stem', 'proj-dim', 'proj-layers', 'temperature', 'loss', 'queue-size', 'moco-momentum', 'mining', 'distance', 'margin', 'labels', 'optimizer', 'lr', 'lr-scaling', 'weight-decay', 'warmup-epochs', 'augment', 'color-strength', 'protocol', 'concurrency', 'workers', 'max-pixels', 'log-every', 'checkpoint-every', 'on-nan', 'resume', 'force'))
          .demandOption('data', 'pretrain needs --data <folder of images>')
          .example('$0 pretrain --data ./photos --out runs/first --epochs 10', ''),
      async (args) => {
        const options = { ...PRETRAIN_DEFAULTS, ...args, out: (args.out as string | undefined) ?? defaultRunDir('pretrain') } as PretrainOptions;
        const result = await pretrain(options);
        const finished = result.finalStep >= result.totalSteps;
        const loss = Number.isFinite(result.lastLoss) ? `, final loss ${result.lastLoss.toFixed(4)}` : '';
        console.log(
          `${finished ? 'done' : 'stopped'}: step ${result.finalStep}/${result.totalSteps}${loss}, run in ${result.out}` +
            (finished ? ` (encoder: ${result.out}/encoder)` : ` (continue with: simclr pretrain --out ${result.out} --data ${options.data} --resume)`),
        );
        if (result.signal) process.exitCode = signalExitCode(result.signal); // checkpoint saved; 130 (SIGINT) / 143 (SIGTERM)
      },
    )
    .command(
      'demo',
      'pretrain on the bundled Fashion-MNIST sample, then probe it against the baselines (npm start)',
      (y) => y.options({ out: { type: 'string', describe: 'run directory (default: runs/sample-<time>)' } }).options(pick('backend')),
      async (args) => {
        await demo({ out: (args.out as string | undefined) ?? defaultRunDir('sample'), backend: args.backend as BackendName });
      },
    )
    .command(
      'probe',
      'score frozen features: linear probe, kNN and retrieval on a labelled train/test split',
      (y) =>
        y
          .options({
            encoder: { type: 'string', demandOption: 'probe needs --encoder <run dir | encoder dir | raw | random>', describe: 'run directory, encoder directory, or a baseline: raw (pixels) / random (untrained)' },
            train: { type: 'string', demandOption: 'probe needs --train <labelled folder>', describe: 'labelled training images, root/<class>/<image>' },
            test: { type: 'string', demandOption: 'probe needs --test <labelled folder>', describe: 'labelled test images, same classes' },
            out: { type: 'string', describe: 'write every figure to this JSON file' },
            baselines: { type: 'boolean', default: true, describe: 'also score the raw and random baselines (--no-baselines to skip)' },
            k: { type: 'number', default: 20, describe: 'neighbours for kNN' },
          })
          .options(pick('backend', 'seed', 'concurrency', 'image-size', 'backbone', 'width', 'cifar-stem'))
          .example('$0 probe --encoder runs/first --train data/sample/train --test data/sample/test', ''),
      async (args) => {
        const report = await probe({
          encoder: args.encoder as string,
          train: args.train as string,
          test: args.test as string,
          out: args.out as string | undefined,
          backend: args.backend as BackendName,
          baselines: args.baselines as boolean,
          k: args.k as number,
          seed: args.seed as number,
          concurrency: args.concurrency as number,
          defaults: encoderDefaults(args),
        });
        console.log(formatProbeSummary(report));
        if (args.out) console.log(`written: ${args.out}`);
      },
    )
    .command(
      'embed',
      'write the encoder features h of every image in a folder as .npy (+ .paths.txt)',
      (y) =>
        y
          .options({
            encoder: { type: 'string', demandOption: 'embed needs --encoder <run dir | encoder dir>', describe: 'run directory or encoder directory (or raw / random)' },
            data: { type: 'string', demandOption: 'embed needs --data <folder>', describe: 'folder of images (searched recursively)' },
            out: { type: 'string', demandOption: 'embed needs --out <file.npy>', describe: 'output .npy; paths go to <name>.paths.txt' },
          })
          .options(pick('backend', 'batch-size', 'concurrency', 'max-pixels', 'image-size', 'backbone', 'width', 'cifar-stem'))
          .example('$0 embed --encoder runs/first --data ./photos --out emb.npy', ''),
      async (args) => {
        const result = await embed({
          encoder: args.encoder as string,
          data: args.data as string,
          out: args.out as string,
          backend: args.backend as BackendName,
          batchSize: args.batchSize as number,
          concurrency: args.concurrency as number,
          maxPixels: args.maxPixels as number,
          defaults: encoderDefaults(args),
        });
        console.log(`written: ${args.out} (${result.rows} × ${result.dim} float32) and ${result.pathsFile}`);
      },
    )
    .command(
      'export',
      "write a run's encoder alone (TF.js layers format) with preprocessing.json and a README",
      (y) =>
        y.options({
          run: { type: 'string', demandOption: 'export needs --run <run dir>', describe: 'a finished run directory (or an encoder directory)' },
          out: { type: 'string', demandOption: 'export needs --out <dir>', describe: 'output directory (replaced atomically)' },
        }),
      async (args) => {
        const { inputSize, dim } = await exportEncoder(args.run, args.out);
        console.log(`exported: ${args.out} (input ${inputSize}×${inputSize}×3 → h of ${dim})`);
      },
    )
    .command(
      'data <dataset>',
      'write a labelled ImageFolder copy of a standard dataset',
      (y) =>
        y
          .positional('dataset', { choices: ['fashion-mnist'] as const, describe: 'which dataset' })
          .options({
            out: { type: 'string', demandOption: 'data needs --out <dir>', describe: 'output folder (train/ and test/ inside)' },
            from: { type: 'string', describe: 'folder holding the IDX .gz files (else Debian’s, else download)' },
            'train-per-class': { type: 'number', describe: 'keep the first N training images of each class' },
            'test-per-class': { type: 'number', describe: 'keep the first N test images of each class' },
            force: { type: 'boolean', default: false, describe: 'overwrite existing train/ and test/ in --out' },
          }),
      async (args) => {
        await runData({
          dataset: args.dataset as 'fashion-mnist' | 'cifar10',
          out: args.out,
          from: args.from,
          trainPerClass: args.trainPerClass,
          testPerClass: args.testPerClass,
          force: args.force,
        });
      },
    )
    .demandCommand(1, 'name a command: simclr <command> --help')
    .strict()
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
}

/** A bad command line (unknown flag, missing option, wrong choice): exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Input size and architecture for the `raw` and `random` baselines (saved encoders know their own). */
function encoderDefaults(args: Record<string, unknown>): EncoderSpecDefaults {
  const imageSize = args.imageSize as number;
  return {
    imageSize,
    architecture: {
      backbone: args.backbone as Backbone,
      width: args.width as number,
      cifarStem: (args.cifarStem as boolean | undefined) ?? imageSize <= 64,
      projDim: PRETRAIN_DEFAULTS.projDim,
      projLayers: PRETRAIN_DEFAULTS.projLayers,
    },
  };
}

function defaultRunDir(job: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `runs/${job}-${stamp}`;
}
