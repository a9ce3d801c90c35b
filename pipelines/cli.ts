import yargs, { type Argv } from 'yargs';
import { readConfigFile } from '../src/cli/configFile.js';
import { pick, PRETRAIN_FLAGS } from '../src/cli/options.js';
import { encoderDefaultsOf, PRETRAIN_DEFAULTS, type PretrainOptions } from '../src/config/pretrainOptions.js';
import { packageVersion } from '../src/config/packageRoot.js';
import type { RunOptions } from '../src/ablate/grid.js';
import type { BackendName } from '../src/backend/select.js';
import { ablate, ablateCellCommand, mergeGrid } from './ablate.js';
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
          .options(pick(...PRETRAIN_FLAGS))
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
          defaults: encoderDefaultsOf({ ...PRETRAIN_DEFAULTS, ...args }),
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
          defaults: encoderDefaultsOf({ ...PRETRAIN_DEFAULTS, ...args }),
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
        const { inputSize, dim, source } = await exportEncoder(args.run, args.out);
        console.log(`exported: ${args.out} (input ${inputSize}×${inputSize}×3 → h of ${dim}) from ${source}`);
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
    .command(
      'ablate',
      'augmentation ablation grid: one pretrain run + linear probe per cell, results table and heatmap',
      (y) =>
        y
          .command(
            'merge <dir>',
            'write results.csv/.md and heatmap.svg/.png of a grid from its finished cells; list the missing ones',
            (m) => m.positional('dir', { type: 'string', demandOption: true, describe: 'the grid directory (--out of simclr ablate)' }),
            async (args) => {
              const merged = await mergeGrid(args.dir as string);
              console.log(`merged ${merged.done} of ${merged.cells} cells into ${args.dir}/results.md, results.csv, heatmap.svg, heatmap.png`);
              if (merged.missing.length > 0) console.log(`missing (${merged.missing.length}): ${merged.missing.join(', ')}`);
            },
          )
          .command(
            'cell <dir> <cell>',
            false, // internal: one cell in a child process, for --jobs > 1
            (c) => c.positional('dir', { type: 'string', demandOption: true }).positional('cell', { type: 'string', demandOption: true }),
            async (args) => {
              const outcome = await ablateCellCommand(args.dir as string, args.cell as string, args as unknown as RunOptions);
              if (outcome.status === 'failed') throw new Error(outcome.error);
            },
          )
          .options(pick(...PRETRAIN_FLAGS.filter((f) => f !== 'resume' && f !== 'force')))
          .options({
            train: { type: 'string', describe: 'labelled images the probe trains on, root/<class>/<image>' },
            test: { type: 'string', describe: 'labelled images the probe is scored on, same classes' },
            ops: { type: 'string', describe: `ops paired in order, every ordered pair a cell (n² cells), e.g. crop,cutout,color,sobel,noise,blur,rotate` },
            grid: { type: 'string', array: true, default: [], describe: 'sweep an option: key=v1,v2,... (repeatable; Cartesian product with --ops)' },
            jobs: { type: 'number', default: 1, describe: 'cells run at once (> 1: child processes)' },
            shard: { type: 'string', describe: 'run slice i/n of the cells, 0-based (default: from SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX)' },
            'shard-count': { type: 'number', describe: 'number of shards for JOB_COMPLETION_INDEX (or SIMCLR_SHARD_COUNT)' },
            k: { type: 'number', default: 20, describe: 'neighbours for the kNN score' },
          })
          .example('$0 ablate --data data/fm/train --train data/fm/train --test data/fm/test --ops crop,color,blur --protocol paper --steps 200 --out runs/grid', '')
          .example('$0 ablate merge runs/grid', ''),
      async (args) => {
        const missing = ['data', 'train', 'test', 'out'].filter((k) => args[k] === undefined);
        if (missing.length > 0) throw new UsageError(`ablate needs ${missing.map((k) => `--${k}`).join(', ')}`);
        const result = await ablate({
          options: { ...PRETRAIN_DEFAULTS, ...args } as unknown as PretrainOptions,
          train: args.train as string,
          test: args.test as string,
          ops: args.ops as string | undefined,
          grid: (args.grid as string[]).map(String),
          jobs: args.jobs as number,
          shard: args.shard as string | undefined,
          shardCount: args.shardCount as number | undefined,
          k: args.k as number,
        });
        const out = args.out as string;
        console.log(
          `ablate: ${result.finished} cells finished now, ${result.cells - result.missing.length}/${result.cells} in total; ` +
            `results in ${out}/results.md, results.csv, heatmap.png`,
        );
        for (const f of result.failed) console.error(`failed: ${f.id}: ${f.error}`);
        if (result.stopped > 0) console.log(`stopped: re-run the same command to resume (finished cells are kept)`);
        if (result.failed.length > 0) process.exitCode = 1;
        else if (result.stopped > 0) process.exitCode = 130;
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

function defaultRunDir(job: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `runs/${job}-${stamp}`;
}
