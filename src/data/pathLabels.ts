import { statSync } from 'node:fs';
import path from 'node:path';

export interface PathLabels {
  /** labels[i] is the class index of paths[i]. */
  labels: Int32Array;
  /** Class folder names, sorted in code-point order (as loadImageFolder numbers them). */
  classNames: string[];
}

/**
 * The class of each image from an ImageFolder tree that holds it, `root/<class>/…/<image>`:
 * the first folder below `root`. `paths` are normally the training set's own (--data and
 * --labels the same folder); an image outside `root`, or directly in it, is a clear error.
 */
export function labelsForPaths(root: string, paths: readonly string[]): PathLabels {
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`--labels ${root} is not a readable folder`);
  const base = path.resolve(root);
  const classOf = paths.map((p) => {
    const parts = path.relative(base, path.resolve(p)).split(path.sep);
    if (parts.length < 2 || parts[0] === '..' || path.isAbsolute(parts[0])) {
      throw new Error(`--labels ${root}: image ${p} is not inside a class folder of it (root/<class>/<image>)`);
    }
    return parts[0];
  });
  const classNames = [...new Set(classOf)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (classNames.length < 2) {
    throw new Error(`--labels ${root}: the images fall into ${classNames.length} class(es); same-class positives need at least 2`);
  }
  const index = new Map(classNames.map((name, i) => [name, i]));
  return { labels: Int32Array.from(classOf, (name) => index.get(name)!), classNames };
}
