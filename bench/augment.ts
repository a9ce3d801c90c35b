/**
 * Augmentation throughput (views/s) of the two-view stage with the full SimCLR recipe,
 * in-process and with worker threads. Run by hand:
 *   npx tsc -p . && node dist/bench/augment.js
 */
import { DEFAULT_RECIPE, Rng, TwoViewStage, type ViewSource } from '../augment/index.js';

function randomSource(count: number, size: number): ViewSource {
  const pixels = new Uint8Array(new SharedArrayBuffer(count * size * size * 3));
  const rng = new Rng(1);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.int(256);
  return { kind: 'memory', size, count, pixels };
}

/** Wall-clock views/s, and (in-process only) views per CPU-second of this thread, which the shared machine's load does not skew. */
async function measure(source: ViewSource, imageSize: number, batchSize: number, steps: number, workers: number): Promise<{ wall: number; cpu: number }> {
  const stage = new TwoViewStage({ source, recipe: DEFAULT_RECIPE, imageSize, batchSize, seed: 0, workers });
  await stage.batch(0); // warm-up: worker start and JIT
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let t = 1; t <= steps; t++) await stage.batch(t);
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  await stage.close();
  const views = 2 * batchSize * steps;
  return { wall: views / seconds, cpu: views / ((cpu.user + cpu.system) / 1e6) };
}

const cases = [
  { imageSize: 32, sourceSize: 32, batchSize: 256, steps: 4 },
  { imageSize: 224, sourceSize: 256, batchSize: 16, steps: 3 },
];
for (const c of cases) {
  const source = randomSource(2 * c.batchSize, c.sourceSize);
  for (const workers of [0, 1, 2]) {
    const { wall, cpu } = await measure(source, c.imageSize, c.batchSize, c.steps, workers);
    const mode = workers === 0 ? 'in-process' : `${workers} worker${workers > 1 ? 's' : ''}`;
    const perCpu = workers === 0 ? ` (${cpu.toFixed(0)} views per CPU-second)` : '';
    console.log(`${c.imageSize}×${c.imageSize} from ${c.sourceSize}² cache, ${DEFAULT_RECIPE}, ${mode}: ${wall.toFixed(0)} views/s${perCpu}`);
  }
}
