import yargs, { type Argv } from 'yargs';
import { readConfigFile } from '../src/config/configFile.js';
import { optionsFrom, UsageError } from '../src/config/options.js';
import { encoderDefaultsOf } from '../src/config/pretrainOptions.js';
import { packageVersion } from '../src/config/packageRoot.js';
import { RUN_OPTIONS } from '../src/ablate/grid.js';
import { ablate, ablateCellCommand, mergeGrid } from './ablate.js';
import { yargsOptions } from './cliOptions.js';
import { DATASET_NAMES, runData } from './data.js';
import { demo } from './demo.js';
import { embed } from './embed.js';
import { exportEncoder } from './export.js';
import { fineTunePaths, finetune } from './finetune.js';
import { formatClassifierSummary } from '../src/eval/classifierReport.js';
import { explore, openHint } from './explore.js';
import { formatModels } from './models.js';
import { formatProbeSummary, probe } from './probe.js';
import { bundledEncoders } from '../src/run/bundledEncoders.js';
import { pretrain } from './pretrain.js';
import { runStoppable } from './stopSignals.js';

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
          .options(yargsOptions('pretrain'))
          .example('$0 pretrain --data ./photos --out runs/first --epochs 10', ''),
      async (args) => {
        const parsed = optionsFrom('pretrain', args);
        const options = { ...parsed, out: parsed.out ?? defaultRunDir('pretrain') };
        const result = await runStoppable((signal) => pretrain(options, { signal }));
        const finished = result.finalStep >= result.totalSteps;
        const loss = Number.isFinite(result.lastLoss) ? `, final loss ${result.lastLoss.toFixed(4)}` : '';
        console.log(
          `${finished ? 'done' : 'stopped'}: step ${result.finalStep}/${result.totalSteps}${loss}, run in ${result.out}` +
            (finished ? ` (encoder: ${result.out}/encoder)` : ` (continue with: simclr pretrain --out ${result.out} --data ${options.data} --resume)`),
        );
      },
    )
    .command(
      'finetune',
      'fine-tune an encoder + linear classifier end to end on labelled images (or a stratified share of them)',
      (y) =>
        y
          .options(yargsOptions('finetune'))
          .example('$0 finetune --encoder runs/first --train data/fm/train --test data/fm/test --label-fraction 0.01 --out runs/ft-1pc', '')
          .example('$0 finetune --encoder random --train data/fm/train --test data/fm/test --label-fraction 0.01 --out runs/scratch-1pc', ''),
      async (args) => {
        const parsed = optionsFrom('finetune', args);
        const options = { ...parsed, out: parsed.out ?? defaultRunDir('finetune') };
        const result = await runStoppable((signal) => finetune(options, { signal }));
        if (result.test) {
          const files = fineTunePaths(result.out);
          console.log(formatClassifierSummary(result.test, result.classNames));
          console.log(`done: ${result.step} steps on ${result.trainImages} labelled images; run in ${result.out} (classifier: ${files.model}, scores: ${files.results}, ${files.confusion})`);
        } else {
          console.log(`stopped: step ${result.step}/${result.totalSteps}, run in ${result.out} (continue with: simclr finetune --out ${result.out} --encoder ${options.encoder} --train ${options.train} --test ${options.test} --resume)`);
        }
      },
    )
    .command(
      'demo',
      'pretrain on the bundled Fashion-MNIST sample, then probe it against the baselines (npm start)',
      (y) => y.options(yargsOptions('demo')),
      async (args) => {
        const { out, backend } = optionsFrom('demo', args);
        await runStoppable((signal) => demo({ out: out ?? defaultRunDir('sample'), backend, signal }));
      },
    )
    .command(
      'models',
      'list the bundled pretrained encoders (use one with --encoder <name>) and what they score',
      (y) => y.options(yargsOptions('models')),
      (args) => {
        const { json } = optionsFrom('models', args);
        console.log(json ? JSON.stringify(bundledEncoders().map((b) => ({ ...b.card, dir: b.dir })), null, 2) : formatModels());
      },
    )
    .command(
      'probe',
      'score frozen features: linear probe, kNN and retrieval on a labelled train/test split',
      (y) =>
        y
          .options(yargsOptions('probe'))
          .example('$0 probe --encoder runs/first --train data/sample/train --test data/sample/test', ''),
      async (args) => {
        const o = optionsFrom('probe', args);
        const report = await probe({ ...o, defaults: encoderDefaultsOf(o) });
        console.log(formatProbeSummary(report));
        if (o.out) console.log(`written: ${o.out}`);
      },
    )
    .command(
      'embed',
      'write the encoder features h of every image in a folder as .npy (+ .paths.txt)',
      (y) =>
        y
          .options(yargsOptions('embed'))
          .example('$0 embed --encoder runs/first --data ./photos --out emb.npy', ''),
      async (args) => {
        const o = optionsFrom('embed', args);
        const result = await embed({ ...o, defaults: encoderDefaultsOf(o) });
        console.log(`written: ${o.out} (${result.rows} × ${result.dim} float32) and ${result.pathsFile}`);
      },
    )
    .command(
      'export',
      "write a run's encoder alone (TF.js layers format) with preprocessing.json and a README",
      (y) =>
        y.options(yargsOptions('export')),
      async (args) => {
        const { run, out, backend } = optionsFrom('export', args);
        const { inputSize, dim, source } = await exportEncoder(run, out, backend);
        console.log(`exported: ${out} (input ${inputSize}×${inputSize}×3 → h of ${dim}) from ${source}`);
      },
    )
    .command(
      'explore',
      'write an embedding explorer page (2-D map, thumbnails, nearest neighbours) and TensorBoard projector files',
      (y) =>
        y
          .options(yargsOptions('explore'))
          .example('$0 explore --encoder runs/first --data data/sample/test --out explore', ''),
      async (args) => {
        const o = optionsFrom('explore', args);
        const result = await explore({ ...o, defaults: encoderDefaultsOf(o) });
        const knn = result.knnTop1 !== undefined ? `, leave-one-out kNN ${(100 * result.knnTop1).toFixed(1)} %` : '';
        console.log(`explorer: ${result.images} images, ${result.map.toUpperCase()} map${knn}`);
        console.log(openHint(o.out));
      },
    )
    .command(
      'data <dataset>',
      'write a labelled ImageFolder copy of a standard dataset',
      (y) =>
        y
          .positional('dataset', { choices: DATASET_NAMES, demandOption: true, describe: 'which dataset' })
          .options(yargsOptions('data')),
      async (args) => {
        await runData({ ...optionsFrom('data', args), dataset: String(args.dataset) });
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
              const merged = await mergeGrid(args.dir);
              console.log(`merged ${merged.done} of ${merged.cells} cells into ${args.dir}/results.md, results.csv, heatmap.svg, heatmap.png`);
              if (merged.missing.length > 0) console.log(`missing (${merged.missing.length}): ${merged.missing.join(', ')}`);
            },
          )
          .command(
            'cell <dir> <cell>',
            false, // internal: one cell in a child process, for --jobs > 1
            (c) => c.positional('dir', { type: 'string', demandOption: true }).positional('cell', { type: 'string', demandOption: true }),
            async (args) => {
              const outcome = await ablateCellCommand(args.dir, args.cell, optionsFrom('ablate', args, RUN_OPTIONS));
              if (outcome.status === 'failed') throw new Error(outcome.error);
            },
          )
          .options(yargsOptions('ablate'))
          .example('$0 ablate --data data/fm/train --train data/fm/train --test data/fm/test --ops crop,color,blur --protocol paper --steps 200 --out runs/grid', '')
          .example('$0 ablate merge runs/grid', ''),
      async (args) => {
        const { train, test, ops, grid, jobs, shard, shardCount, k, ...options } = optionsFrom('ablate', args);
        const result = await ablate({ options, train, test, ops, grid, jobs, shard, shardCount, k });
        const { out } = options;
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

export { UsageError };

function defaultRunDir(job: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `runs/${job}-${stamp}`;
}
