#!/usr/bin/env node
// A co-selection graph from a labelled ImageFolder: pairs drawn within a class, a share of them
// "noisy" across classes (items chosen together for no visual reason), with a fixed seed.
//
//   node experiments/pairs-fashion-mnist/make-pairs.mjs <ImageFolder> <out.csv> [pairs per image = 1] [noise = 0.2] [seed = 0]
//
// Every image starts one pair with probability `pairs per image` (more than 1: several); the
// partner is a random image of the same class, or with probability `noise` of another class.
// Paths are written relative to the folder (what --pairs, and probe --pairs with --test, expect).
import fs from 'node:fs';
import path from 'node:path';

const [root, out, perImageArg = '1', noiseArg = '0.2', seedArg = '0'] = process.argv.slice(2);
if (!root || !out) {
  console.error('usage: make-pairs.mjs <ImageFolder> <out.csv> [pairs per image = 1] [noise = 0.2] [seed = 0]');
  process.exit(2);
}
const perImage = Number(perImageArg);
const noise = Number(noiseArg);

// mulberry32: small, seeded, the same on every machine.
let state = Number(seedArg) >>> 0;
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (list) => list[Math.floor(random() * list.length)];

const classes = fs.readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const imagesOf = classes.map((c) => fs.readdirSync(path.join(root, c)).filter((f) => /\.(png|jpe?g|webp)$/i.test(f)).sort().map((f) => `${c}/${f}`));
if (classes.length < 2) throw new Error(`${root}: need at least 2 class folders`);

const rows = ['left,right'];
let noisy = 0;
classes.forEach((_, c) => {
  for (const image of imagesOf[c]) {
    let draws = Math.floor(perImage) + (random() < perImage % 1 ? 1 : 0);
    while (draws-- > 0) {
      const across = random() < noise;
      const other = across ? pick(classes.map((_, k) => k).filter((k) => k !== c)) : c;
      let partner = pick(imagesOf[other]);
      if (partner === image) partner = pick(imagesOf[other]); // a rare self-pair is left for --pairs to count
      if (across) noisy++;
      rows.push(`${image},${partner}`);
    }
  }
});
fs.writeFileSync(out, rows.join('\n') + '\n');
console.error(`${out}: ${rows.length - 1} pairs over ${imagesOf.flat().length} images, ${noisy} across classes (${((100 * noisy) / (rows.length - 1)).toFixed(1)} %)`);
