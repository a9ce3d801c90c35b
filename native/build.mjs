// `npm install` hook: builds the oneDNN addon (native/) when oneDNN's headers are present.
// Never fails the install: without oneDNN, or when the compile fails, it prints one line and
// exits 0, and the backend falls back to wasm (src/backend/select.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const HINT = 'Debian/Ubuntu: `apt-get install libdnnl-dev`, macOS: `brew install onednn`, then `npm rebuild`';

function headerDirs() {
  const dirs = ['/usr/include', '/usr/local/include', '/opt/homebrew/include'];
  if (process.env.DNNLROOT) dirs.unshift(join(process.env.DNNLROOT, 'include'));
  return dirs;
}

/** npm's own node-gyp (npm sets npm_config_node_gyp for install scripts), else the one next to node. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((p) => p && existsSync(p));
}

if (process.env.SIMCLR_SKIP_ONEDNN) {
  console.log('onednn addon: not built (SIMCLR_SKIP_ONEDNN is set)');
  process.exit(0);
}
const include = headerDirs().find((d) => existsSync(join(d, 'oneapi', 'dnnl', 'dnnl.hpp')));
if (include === undefined) {
  console.log(`onednn addon: not built, oneDNN not found (${HINT}); the wasm backend will be used`);
  process.exit(0);
}
const gyp = nodeGyp();
if (gyp === undefined) {
  console.log('onednn addon: not built, node-gyp not found (it ships with npm); the wasm backend will be used');
  process.exit(0);
}
const args = [gyp, 'rebuild', `--directory=${here}`];
// Distribution-packaged Node (Debian) ships its headers in /usr/include/node; node-gyp would
// otherwise download them, which fails offline.
if (existsSync('/usr/include/node/node_api.h')) args.push('--nodedir=/usr');
const extra = include === '/usr/include' ? {} : { CXXFLAGS: `-I${include} ${process.env.CXXFLAGS ?? ''}`, LDFLAGS: `-L${join(include, '..', 'lib')} ${process.env.LDFLAGS ?? ''}` };
const result = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, ...extra } });
const log = join(here, 'build', 'build.log');
mkdirSync(dirname(log), { recursive: true });
writeFileSync(log, `${result.stdout ?? ''}\n${result.stderr ?? ''}\n${result.error ?? ''}`);
if (result.status === 0) {
  console.log(`onednn addon: built (${join('native', 'build', 'Release', 'onednn.node')})`);
} else {
  console.log(`onednn addon: build failed (log: ${log}); the wasm backend will be used`);
}
