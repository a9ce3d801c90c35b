#!/usr/bin/env node
// The results table of README.md from runs/pairs-fashion-mnist/<run>/{probe.json,metrics.jsonl}.
import fs from 'node:fs';
const runs = ['simclr', 'pairs', 'pairs-negatives'];
const pct = (v) => (v === undefined ? '—' : (100 * v).toFixed(2));
let baselines;
for (const run of runs) {
  const dir = `runs/pairs-fashion-mnist/${run}`;
  if (!fs.existsSync(`${dir}/probe.json`)) { console.log(run, 'no probe yet'); continue; }
  const p = JSON.parse(fs.readFileSync(`${dir}/probe.json`, 'utf8'));
  const metrics = fs.readFileSync(`${dir}/metrics.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((m) => m.imagesPerSec !== undefined);
  const half = Math.floor(Math.max(...metrics.map((m) => m.step)) / 2);
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  // Steps 61–117 and 127–234: past start-up, and in session 9 past a test run beside the pairs run (steps 1–50).
  const first = metrics.filter((m) => m.step > 60 && m.step <= half).map((m) => m.imagesPerSec);
  const second = metrics.filter((m) => m.step > half + 10).map((m) => m.imagesPerSec);
  const paired = metrics.map((m) => m.pairedAnchors).filter((v) => v !== undefined);
  const negs = metrics.filter((m) => m.step > half + 10).map((m) => m.negatives).filter((v) => v !== undefined);
  console.log(`| ${run} | ${pct(p.pairs?.recallAt[1])} | ${pct(p.pairs?.recallAt[10])} | ${p.pairs?.mrr.toFixed(3)} | ${pct(p.linear.top1)} | ${pct(p.knn.top1)} | ${pct(p.retrieval.mapAtR)} | ${mean(first).toFixed(0)} / ${mean(second).toFixed(0)} | ${paired.length ? pct(mean(paired)) : '—'} | ${negs.length ? mean(negs).toFixed(0) : '—'} |`);
  baselines = p.baselines;
}
if (baselines) for (const [name, b] of Object.entries(baselines)) console.log(`| ${name} (probe baseline) | ${pct(b.pairs?.recallAt[1])} | ${pct(b.pairs?.recallAt[10])} | ${b.pairs?.mrr.toFixed(3)} | ${pct(b.linear.top1)} | ${pct(b.knn.top1)} | ${pct(b.retrieval.mapAtR)} | — | — | — |`);
