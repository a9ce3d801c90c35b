import yargs, { type Argv } from 'yargs';
import { pick } from '../src/cli/options.js';
import { PRETRAIN_DEFAULTS, type PretrainOptions } from '../src/config/pretrainOptions.js';
import { packageVersion } from '../src/config/packageRoot.js';
import { runData } from './data.js';
import { pretrain } from './pretrain.js';

/** The `simclr` command: each subcommand is one pipeline; flags mean the same everywhere. */
export function buildCli(argv: string[]): Argv {
  return yargs(argv)
    .scriptName('simclr')
    .version(packageVersion())
    .config('config', 'JSON file of options (flag names in kebab- or camelCase); flags given on the command line win')
    .command(
      'pretrain',
      'pretrain an encoder with SimCLR on a folder of unlabeled images',
      (y) =>
        y
          .options(pick('data', 'out', 'backend', 'seed', 'epochs', 'steps', 'batch-size', 'image-size', 'cache-size', 'backbone', 'width', 'cifar-stem', 'proj-dim', 'proj-layers', 'temperature', 'loss', 'optimizer', 'lr', 'lr-scaling', 'weight-decay', 'warmup-epochs', 'augment', 'color-strength', 'concurrency', 'workers', 'max-pixels', 'log-every', 'checkpoint-every', 'resume', 'force'))
          .demandOption('data', 'pretrain needs --data <folder of images>')
          .example('$0 pretrain --data ./photos --out runs/first --epochs 10', ''),
      async (args) => {
        const options = { ...PRETRAIN_DEFAULTS, ...args, out: (args.out as string | undefined) ?? defaultRunDir('pretrain') } as PretrainOptions;
        const result = await pretrain(options);
        const finished = result.finalStep >= result.totalSteps;
        console.log(
          `${finished ? 'done' : 'stopped'}: step ${result.finalStep}/${result.totalSteps}, final loss ${result.lastLoss.toFixed(4)}, run in ${result.out}` +
            (finished ? ` (encoder: ${result.out}/encoder)` : ` (continue with: simclr pretrain --out ${result.out} --data ${options.data} --resume)`),
        );
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
          }),
      async (args) => {
        await runData({
          dataset: args.dataset as 'fashion-mnist',
          out: args.out,
          from: args.from,
          trainPerClass: args.trainPerClass,
          testPerClass: args.testPerClass,
        });
      },
    )
    .demandCommand(1, 'name a command: simclr <command> --help')
    .strict()
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err, y) => {
      // Bad input is one clear line and a non-zero exit, never a stack trace.
      if (err) throw err;
      console.error(`simclr: ${msg}\n(see: ${y.$0} --help)`);
      process.exit(2);
    });
}

function defaultRunDir(job: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `runs/${job}-${stamp}`;
}
