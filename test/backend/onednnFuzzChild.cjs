// Child process of onednnFuzz.test.ts: hammers every addon function with random shapes, valid
// ones (outputs must be finite) and invalid ones (each must throw, never crash the process).
// Usage: node onednnFuzzChild.cjs <addon path> <seed> <rounds>
const addon = require(process.argv[2]);
let state = Number(process.argv[3]) >>> 0 || 1;
const rounds = Number(process.argv[4]) || 200;
const rand = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = (xs) => xs[int(0, xs.length - 1)];
const buf = (n) => Float32Array.from({ length: n }, () => rand() * 2 - 1);
const size = (d) => d.reduce((a, b) => a * b, 1);
let valid = 0;
let refused = 0;

function finite(name, ...arrays) {
  for (const a of arrays) for (const v of a) if (!Number.isFinite(v)) throw new Error(`${name}: non-finite output`);
  valid++;
}
function mustThrow(name, f) {
  try {
    f();
  } catch (err) {
    if (!/^onednn: /.test(err.message)) throw new Error(`${name}: unexpected error ${err.message}`);
    refused++;
    return;
  }
  throw new Error(`${name}: bad arguments were accepted`);
}

function convCase() {
  const k = pick([1, 3, 5, 7]);
  const s = int(1, 2);
  const dil = pick([1, 1, 1, 2]);
  const keff = (k - 1) * dil + 1;
  const n = int(1, 3), h = int(keff, keff + 9), w = int(keff, keff + 9), ci = int(1, 9), co = int(1, 9);
  const pads = pick([[0, 0, 0, 0], [(k - 1) >> 1, (k - 1) >> 1, k >> 1, k >> 1], [int(0, 3), int(0, 3), int(0, 3), int(0, 3)]]);
  const oh = Math.floor((h + pads[0] + pads[2] - keff) / s) + 1;
  const ow = Math.floor((w + pads[1] + pads[3] - keff) / s) + 1;
  return { x: [n, h, w, ci], f: [k, k, ci, co], y: [n, oh, ow, co], g: [s, s, dil, dil, ...pads] };
}

function poolCase() {
  const k = [int(1, 4), int(1, 4)];
  const s = [int(1, 3), int(1, 3)];
  const n = int(1, 3), h = int(k[0], k[0] + 9), w = int(k[1], k[1] + 9), c = int(1, 9);
  const pads = [int(0, k[0] - 1), int(0, k[1] - 1), int(0, k[0] - 1), int(0, k[1] - 1)];
  const oh = Math.floor((h + pads[0] + pads[2] - k[0]) / s[0]) + 1;
  const ow = Math.floor((w + pads[1] + pads[3] - k[1]) / s[1]) + 1;
  return { x: [n, h, w, c], y: [n, oh, ow, c], k, g: [...s, ...pads] };
}

for (let r = 0; r < rounds; r++) {
  const c = convCase();
  const x = buf(size(c.x)), w = buf(size(c.f)), y = new Float32Array(size(c.y));
  const keff = (c.f[0] - 1) * c.g[2] + 1;
  const residualOk = c.g.slice(4).every((p) => p < keff);
  addon.conv2dForward(x, c.x, w, c.f, rand() < 0.5 ? buf(c.f[3]) : null, residualOk && rand() < 0.5 ? buf(size(c.y)) : null, y, c.y, c.g, rand() < 0.5);
  finite('conv2dForward', y);
  const dx = new Float32Array(size(c.x));
  addon.conv2dBackwardData(buf(size(c.y)), c.y, w, c.f, dx, c.x, c.g);
  finite('conv2dBackwardData', dx);
  const dw = new Float32Array(size(c.f));
  addon.conv2dBackwardWeights(x, c.x, buf(size(c.y)), c.y, dw, c.f, c.g);
  finite('conv2dBackwardWeights', dw);
  // Wrong output size, short input, mismatched channels, zero stride, non-array dims.
  mustThrow('conv output extent', () => addon.conv2dForward(x, c.x, w, c.f, null, null, new Float32Array(size(c.y) + c.y[3]), [c.y[0], c.y[1] + 1, c.y[2], c.y[3]], c.g, false));
  mustThrow('conv short x', () => addon.conv2dForward(x.subarray(1), c.x, w, c.f, null, null, y, c.y, c.g, false));
  mustThrow('conv channels', () => addon.conv2dBackwardWeights(x, c.x, buf(size(c.y)), c.y, dw, [c.f[0], c.f[1], c.f[2] + 1, c.f[3]], c.g));
  mustThrow('conv stride 0', () => addon.conv2dBackwardData(buf(size(c.y)), c.y, w, c.f, dx, c.x, [0, 1, 1, 1, 0, 0, 0, 0]));
  mustThrow('conv dims', () => addon.conv2dForward(x, 'nhwc', w, c.f, null, null, y, c.y, c.g, false));
  mustThrow('conv bias', () => addon.conv2dForward(x, c.x, w, c.f, buf(c.f[3] + 1), null, y, c.y, c.g, false));
  mustThrow('conv residual', () => addon.conv2dForward(x, c.x, w, c.f, null, buf(size(c.y) - 1), y, c.y, c.g, true));
  // A bottom padding as deep as the filter: oneDNN crashes on it with a residual, so it is refused.
  const tall = [c.y[0], c.y[1] + keff, c.y[2], c.y[3]];
  const deepPad = [...c.g.slice(0, 6), c.g[6] + keff * c.g[0], c.g[7]];
  mustThrow('conv residual padding', () => addon.conv2dForward(x, c.x, w, c.f, null, buf(size(tall)), new Float32Array(size(tall)), tall, deepPad, true));
  mustThrow('conv residual is y', () => addon.conv2dForward(x, c.x, w, c.f, null, y, y, c.y, c.g, true));

  const d = [int(1, 5), int(1, 6), int(1, 6), int(1, 40)];
  const bx = buf(size(d)), by = new Float32Array(size(d)), mean = new Float32Array(d[3]), variance = new Float32Array(d[3]);
  addon.batchNormForward(bx, d, buf(d[3]), buf(d[3]), by, mean, variance, 1e-5);
  finite('batchNormForward', by, mean, variance);
  const bdx = new Float32Array(size(d)), dg = new Float32Array(d[3]), db = new Float32Array(d[3]);
  addon.batchNormBackward(bx, d, buf(size(d)), buf(d[3]), mean, variance, bdx, dg, db, 1e-5);
  finite('batchNormBackward', bdx, dg, db);
  mustThrow('bn stats', () => addon.batchNormForward(bx, d, buf(d[3] + 1), buf(d[3]), by, mean, variance, 1e-5));
  mustThrow('bn epsilon', () => addon.batchNormForward(bx, d, buf(d[3]), buf(d[3]), by, mean, variance, 0));
  mustThrow('bn dims', () => addon.batchNormBackward(bx, [d[0], d[1], d[2], 0], buf(size(d)), buf(d[3]), mean, variance, bdx, dg, db, 1e-5));

  const [ba, bb] = pick([[1, 1], [3, 3], [1, 4], [2, 1]]);
  const m = int(1, 17), k = int(1, 17), n = int(1, 17);
  const out = new Float32Array(Math.max(ba, bb) * m * n);
  addon.matmul(buf(ba * m * k), buf(bb * k * n), rand() < 0.5 ? buf(n) : null, out, [ba, bb, m, k, n], rand() < 0.5, rand() < 0.5, rand() < 0.5);
  finite('matmul', out);
  mustThrow('matmul batch', () => addon.matmul(buf(2 * m * k), buf(3 * k * n), null, new Float32Array(6 * m * n), [2, 3, m, k, n], false, false, false));
  mustThrow('matmul size', () => addon.matmul(buf(m * k), buf(k * n + 1), null, new Float32Array(m * n), [1, 1, m, k, n], false, false, false));

  const len = int(1, 70000);
  const a = buf(len), o = new Float32Array(len);
  addon.reluForward(a, o);
  addon.reluGrad(a, buf(len), o);
  const one = rand() < 0.5;
  addon.binary(int(0, 2), a, [len], one ? buf(1) : buf(len), [one ? 1 : len], o, [len]);
  addon.unary(int(0, 2), a, o);
  finite('elementwise', o);
  const bd = [int(1, 5), int(1, 5), int(1, 5)];
  const bs = bd.map((d) => (rand() < 0.5 ? 1 : d));
  const bo = new Float32Array(size(bd));
  addon.binary(int(0, 2), buf(size(bs)), bs, buf(size(bd)), bd, bo, bd);
  mustThrow('binary length', () => addon.binary(0, a, [len], buf(len + 1), [len], o, [len]));
  mustThrow('binary broadcast', () => addon.binary(0, buf(6), [2, 3], buf(6), [3, 2], new Float32Array(6), [3, 2]));
  mustThrow('binary op', () => addon.binary(7, a, [len], a, [len], o, [len]));
  mustThrow('unary length', () => addon.unary(0, a, buf(len + 1)));
  mustThrow('relu type', () => addon.reluForward(new Float64Array(len), o));
  mustThrow('reluGrad length', () => addon.reluGrad(a, buf(len + 1), o));

  const rank = int(1, 6);
  const rdims = Array.from({ length: rank }, () => int(1, 6));
  const flags = rdims.map(() => int(0, 1));
  const rout = new Float32Array(size(rdims.filter((_, i) => !flags[i])));
  addon.reduce(int(0, 1), buf(size(rdims)), rdims, flags, rout);
  finite('reduce', rout);
  mustThrow('reduce out', () => addon.reduce(0, buf(size(rdims)), rdims, flags, new Float32Array(rout.length + 1)));
  mustThrow('reduce rank', () => addon.reduce(0, buf(128), [2, 2, 2, 2, 2, 2, 2], [1, 0, 0, 0, 0, 0, 0], new Float32Array(64)));

  const p = poolCase();
  const kind = int(0, 1);
  const px = buf(size(p.x)), py = new Float32Array(size(p.y)), pdx = new Float32Array(size(p.x));
  addon.pool2dForward(kind, px, p.x, py, p.y, p.k, p.g);
  finite('pool2dForward', py);
  addon.pool2dBackward(kind, kind === 1 && rand() < 0.5 ? null : px, p.x, buf(size(p.y)), p.y, pdx, p.k, p.g);
  finite('pool2dBackward', pdx);
  // Output extent, pad as large as the window, max without x, short dy, bad kind.
  mustThrow('pool extent', () => addon.pool2dForward(kind, px, p.x, new Float32Array(size(p.y) + p.y[2] * p.y[3]), [p.y[0], p.y[1] + 1, p.y[2], p.y[3]], p.k, p.g));
  mustThrow('pool pad', () => addon.pool2dForward(kind, px, p.x, py, p.y, p.k, [1, 1, p.k[0], 0, 0, 0]));
  mustThrow('pool max x', () => addon.pool2dBackward(0, null, p.x, buf(size(p.y)), p.y, pdx, p.k, p.g));
  mustThrow('pool dy', () => addon.pool2dBackward(kind, px, p.x, buf(size(p.y) - 1), p.y, pdx, p.k, p.g));
  mustThrow('pool kind', () => addon.pool2dForward(2, px, p.x, py, p.y, p.k, p.g));
}
// Shapes on which oneDNN 2.6.3's strided 1×1 backward-weights kernel corrupted the heap with two
// threads (the addon now gathers the stride grid and runs a unit-stride convolution).
for (const [n, h, w, ci, co] of [[1, 8, 10, 9, 6], [3, 8, 10, 9, 16], [1, 10, 12, 3, 10]]) {
  const oh = Math.floor((h - 1) / 2) + 1, ow = Math.floor((w - 1) / 2) + 1;
  const x = buf(n * h * w * ci), dy = buf(n * oh * ow * co), dw = new Float32Array(ci * co);
  for (let r = 0; r < 300; r++) addon.conv2dBackwardWeights(x, [n, h, w, ci], dy, [n, oh, ow, co], dw, [1, 1, ci, co], [2, 2, 1, 1, 0, 0, 0, 0]);
  finite('conv2dBackwardWeights 1×1 stride 2', dw);
}
for (let r = 0; r < 50; r++) {
  const pooled = addon.allocFloat32(int(1, 1 << 18));
  pooled.fill(1);
  if (rand() < 0.5) addon.releaseFloat32(pooled);
  addon.releaseFloat32(new Float32Array(8)); // not from the pool: ignored
}
for (let r = 0; r < 20; r++) {
  const c = int(1, 20), rowsN = int(1, 50), bo = new Float32Array(rowsN * c);
  addon.batchNormInference(buf(rowsN * c), c, buf(c), buf(c).map((v) => v * v), rand() < 0.5 ? buf(c) : null, rand() < 0.5 ? buf(c) : null, 1e-3, bo);
  for (const v of bo) if (!Number.isFinite(v)) throw new Error('batchNormInference: non-finite output');
}
mustThrow('bn inference channels', () => addon.batchNormInference(buf(10), 3, buf(3), buf(3), null, null, 1e-3, new Float32Array(10)));
mustThrow('alloc 0', () => addon.allocFloat32(0));
mustThrow('release type', () => addon.releaseFloat32([1, 2]));
mustThrow('argument count', () => addon.conv2dForward());
mustThrow('threads', () => addon.setThreads(0));
console.log(JSON.stringify({ valid, refused }));
