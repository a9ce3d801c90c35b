import { CIFAR10_CLASSES, exportCifar10 } from '../src/data/cifar10.js';
import { exportFashionMnist, FASHION_MNIST_CLASSES } from '../src/data/fashionMnist.js';

export const DATASET_NAMES = ['fashion-mnist', 'cifar10'] as const;

type DatasetName = (typeof DATASET_NAMES)[number];

export interface DataArgs {
  /** One of DATASET_NAMES; anything else is an error naming them. */
  dataset: string;
  out: string;
  from?: string;
  trainPerClass?: number;
  testPerClass?: number;
  force?: boolean;
}

const EXPORTERS: Record<DatasetName, { run: typeof exportFashionMnist; classes: readonly string[] }> = {
  'fashion-mnist': { run: exportFashionMnist, classes: FASHION_MNIST_CLASSES },
  cifar10: { run: exportCifar10, classes: CIFAR10_CLASSES },
};

/** `simclr data <dataset> --out <dir>`: write a labelled ImageFolder tree (train/ and test/). */
export async function runData(args: DataArgs): Promise<void> {
  const exporter = Object.hasOwn(EXPORTERS, args.dataset) ? EXPORTERS[args.dataset as DatasetName] : undefined;
  if (!exporter) throw new Error(`unknown dataset "${args.dataset}" (choose from ${Object.keys(EXPORTERS).join(', ')})`);
  const started = Date.now();
  let lastShown = 0;
  const result = await exporter.run({
    out: args.out,
    from: args.from,
    limitPerClass: { train: args.trainPerClass, test: args.testPerClass },
    force: args.force,
    onProgress: (done, total) => {
      const now = Date.now();
      if (process.stderr.isTTY && (now - lastShown > 200 || done === total)) {
        lastShown = now;
        process.stderr.write(`\rwriting PNGs ${done}/${total}${done === total ? '\n' : ''}`);
      }
    },
  });
  const count = (n: number[]) => n.reduce((a, b) => a + b, 0);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `${args.dataset}: ${count(result.perClass.train)} train + ${count(result.perClass.test)} test images, ` +
      `${exporter.classes.length} classes, written to ${args.out}/{train,test}/<class>/ in ${seconds} s ` +
      `(read from ${result.sourceDir}${result.downloaded ? ', downloaded' : ''})`,
  );
}
