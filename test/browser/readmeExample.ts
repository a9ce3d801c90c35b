import fs from 'node:fs';

const START = '<!-- browser example (run by test/browser/encoder.test.ts) -->';

/** The README's browser example: the js block after its marker. */
export function readmeBrowserExample(): string {
  const readme = fs.readFileSync('README.md', 'utf8');
  const at = readme.indexOf(START);
  if (at < 0) throw new Error(`README.md has no "${START}"`);
  const block = /```js\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block) throw new Error('README.md: no ```js block after the browser example marker');
  return block[1];
}
