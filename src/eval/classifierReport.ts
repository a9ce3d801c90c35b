import { argmaxRows, meanCrossEntropy, topKAccuracy } from './classifierScores.js';

/** A classifier's scores on labelled images, from its logits. */
export interface ClassifierReport {
  images: number;
  top1: number;
  /** With at least 10 classes, as the probe reports it. */
  top5?: number;
  loss: number;
  /** Accuracy of each class's images (NaN for a class with none), by class name. */
  perClass: Record<string, number>;
  /** confusion[t][p]: images of true class t predicted as p. */
  confusion: number[][];
}

export function classifierReport(logits: Float32Array, labels: Int32Array, classNames: readonly string[]): ClassifierReport {
  const c = classNames.length;
  const n = labels.length;
  const predicted = argmaxRows(logits, n, c);
  const confusion = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  for (let i = 0; i < n; i++) confusion[labels[i]][predicted[i]] += 1;
  const perClass: Record<string, number> = {};
  classNames.forEach((name, t) => {
    const total = confusion[t].reduce((s, v) => s + v, 0);
    perClass[name] = total === 0 ? NaN : confusion[t][t] / total;
  });
  return {
    images: n,
    top1: topKAccuracy(logits, labels, c, 1),
    ...(c >= 10 && { top5: topKAccuracy(logits, labels, c, 5) }),
    loss: meanCrossEntropy(logits, labels, c),
    perClass,
    confusion,
  };
}

/** The confusion matrix as CSV: a header of predicted classes, one row per true class. */
export function confusionCsv(report: ClassifierReport, classNames: readonly string[]): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [['true \\ predicted', ...classNames].map(quote).join(',')];
  report.confusion.forEach((row, t) => lines.push([quote(classNames[t]), ...row.map(String)].join(',')));
  return lines.join('\n') + '\n';
}

/** One screen: top-1/top-5, then each class's accuracy and its most frequent confusion. */
export function formatClassifierSummary(report: ClassifierReport, classNames: readonly string[]): string {
  const pct = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '—' : (100 * x).toFixed(2));
  const width = Math.max(5, ...classNames.map((s) => s.length));
  const lines = [
    `test: ${report.images} images, top-1 ${pct(report.top1)}%${report.top5 === undefined ? '' : `, top-5 ${pct(report.top5)}%`}, loss ${report.loss.toFixed(4)}`,
    `${'class'.padEnd(width)}  acc %  most confused with`,
  ];
  classNames.forEach((name, t) => {
    const row = report.confusion[t];
    let worst = -1;
    for (let p = 0; p < row.length; p++) if (p !== t && row[p] > 0 && (worst < 0 || row[p] > row[worst])) worst = p;
    const confused = worst < 0 ? '' : `${classNames[worst]} (${row[worst]})`;
    lines.push(`${name.padEnd(width)}  ${pct(report.perClass[name]).padStart(5)}  ${confused}`);
  });
  return lines.join('\n');
}
