import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { addonAvailable, addonPath, loadAddon, registerOnednnBackend } from './onednn/index.js';
import { registerWasmTrainingKernels } from './wasmKernels/index.js';

export type BackendName = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'onednn' | 'wasm' | 'cpu';

export const BACKEND_NAMES: readonly BackendName[] = ['auto', 'tensorflow-gpu', 'tensorflow', 'onednn', 'wasm', 'cpu'];

export interface SelectOptions {
  /** No warning when 'auto' skips a backend that is present but broken. */
  quiet?: boolean;
  /** Threads for the native CPU backend (onednn); default every core. */
  threads?: number;
}

export interface BackendInfo {
  requested: BackendName;
  /** tf.getBackend() after selection: 'tensorflow' (both native packages), 'onednn', 'wasm' or 'cpu'. */
  active: string;
  /** npm package that provides the active backend. */
  package: string;
  version: string;
  threads?: number;
  note?: string;
}

/** A backend that was asked for by name but cannot be used; the message is one line. */
export class BackendError extends Error {
  override name = 'BackendError';
  /** 'not-installed': the package is absent; 'failed': present but unusable. */
  constructor(message: string, readonly reason: 'not-installed' | 'failed' | 'unknown') {
    super(message);
  }
}

interface NativeBackend {
  name: 'tensorflow-gpu' | 'tensorflow';
  package: string;
  install: string;
}

// tfjs-node 4.x binds libtensorflow 2.9.1; its README asks for CUDA 11.2 + cuDNN 8 for the GPU build.
const NATIVE: Record<NativeBackend['name'], NativeBackend> = {
  'tensorflow-gpu': {
    name: 'tensorflow-gpu',
    package: '@tensorflow/tfjs-node-gpu',
    install: 'npm install @tensorflow/tfjs-node-gpu (Linux x64 with an NVIDIA GPU, CUDA 11.2 and cuDNN 8)',
  },
  tensorflow: {
    name: 'tensorflow',
    package: '@tensorflow/tfjs-node',
    install: 'npm install @tensorflow/tfjs-node',
  },
};

// Order of preference for 'auto': fastest first.
const AUTO_ORDER: Exclude<BackendName, 'auto'>[] = ['tensorflow-gpu', 'tensorflow', 'onednn', 'wasm', 'cpu'];

/** Resolved without loading it, so "absent" is never confused with "present but broken". */
function isInstalled(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0];
}

/** Imports a native package (which registers backend 'tensorflow') and activates it. */
async function useNative(b: NativeBackend): Promise<BackendInfo> {
  if (!isInstalled(b.package)) {
    throw new BackendError(`backend '${b.name}' is not installed: run \`${b.install}\``, 'not-installed');
  }
  let mod: { version?: Record<string, string> };
  try {
    // A variable specifier keeps TypeScript from resolving a package that is optional.
    const specifier: string = b.package;
    mod = (await import(specifier)) as typeof mod;
  } catch (err) {
    throw new BackendError(`backend '${b.name}' (${b.package}) failed to load: ${firstLine(err)}`, 'failed');
  }
  if (!(await tf.setBackend('tensorflow'))) {
    throw new BackendError(`backend '${b.name}' (${b.package}) is installed but failed to initialise`, 'failed');
  }
  await tf.ready();
  const version = mod.version?.['tfjs-node'] ?? tf.version.tfjs;
  return { requested: b.name, active: tf.getBackend(), package: b.package, version };
}

async function useWasm(): Promise<BackendInfo> {
  // In Node the .wasm binaries are found next to the package's main file; no setWasmPaths needed.
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) {
    throw new BackendError(`backend 'wasm' (@tensorflow/tfjs-backend-wasm) failed to initialise`, 'failed');
  }
  await tf.ready();
  registerWasmTrainingKernels();
  return {
    requested: 'wasm',
    active: tf.getBackend(),
    package: '@tensorflow/tfjs-backend-wasm',
    version: wasm.version_wasm,
    threads: wasm.getThreadsCount(),
    note: 'XNNPACK; training kernels for conv backprop and batch-norm gradient registered',
  };
}

/** The project's own native CPU backend (native/, on oneDNN); absent when the addon was not built. */
async function useOnednn(threads: number | undefined): Promise<BackendInfo> {
  if (!addonAvailable()) {
    // Not built: skipped silently by auto. Built but unloadable (e.g. oneDNN removed since): a warning.
    const reason = addonPath() === undefined ? 'not-installed' : 'failed';
    throw new BackendError(`backend 'onednn' is not available: ${(loadAddon() as Error).message}`, reason);
  }
  let registered: ReturnType<typeof registerOnednnBackend>;
  try {
    registered = registerOnednnBackend({ threads });
  } catch (err) {
    throw new BackendError(`backend 'onednn' failed to initialise: ${firstLine(err)}`, 'failed');
  }
  if (!(await tf.setBackend('onednn'))) {
    throw new BackendError(`backend 'onednn' is built but failed to initialise`, 'failed');
  }
  await tf.ready();
  return {
    requested: 'onednn',
    active: tf.getBackend(),
    package: 'simclr-ts native/ (oneDNN)',
    version: registered.addon.version(),
    threads: registered.threads,
    note: 'native kernels (oneDNN and OpenMP) for convolutions, batch norm, matmul, relu, pooling, elementwise ops and reductions; the rest from the cpu backend',
  };
}

async function useCpu(): Promise<BackendInfo> {
  await tf.setBackend('cpu');
  await tf.ready();
  // The cpu backend greets its first tensor in Node with a banner urging tfjs-node; the CLI
  // names the active backend itself (and how to get a faster one), so the banner is dropped.
  (tf.backend() as { firstUse?: boolean }).firstUse = false;
  return {
    requested: 'cpu',
    active: tf.getBackend(),
    package: '@tensorflow/tfjs-backend-cpu',
    version: tf.version['tfjs-backend-cpu'] ?? tf.version.tfjs,
    note: 'pure JavaScript: slow, meant for tests',
  };
}

async function useOne(name: Exclude<BackendName, 'auto'>, opts: SelectOptions): Promise<BackendInfo> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      return useNative(NATIVE[name]);
    case 'onednn':
      return useOnednn(opts.threads);
    case 'wasm':
      return useWasm();
    case 'cpu':
      return useCpu();
  }
}

/**
 * Activates a tfjs backend. 'auto' takes the first that works of tensorflow-gpu, tensorflow,
 * onednn, wasm, cpu; a native package that is installed but fails to load is skipped with a warning
 * (unless quiet). An explicit name either works or throws BackendError.
 * Printing the active backend is the caller's job: this only warns.
 */
export async function selectBackend(name: BackendName, opts: SelectOptions = {}): Promise<BackendInfo> {
  if (!BACKEND_NAMES.includes(name)) {
    throw new BackendError(`unknown backend '${String(name)}': expected one of ${BACKEND_NAMES.join(', ')}`, 'unknown');
  }
  if (name !== 'auto') return useOne(name, opts);
  const skipped: string[] = [];
  for (const candidate of AUTO_ORDER) {
    try {
      const info = await useOne(candidate, opts);
      return { ...info, requested: 'auto', note: [info.note, ...skipped].filter(Boolean).join('; ') || undefined };
    } catch (err) {
      if (!(err instanceof BackendError)) throw err;
      if (err.reason === 'failed') {
        skipped.push(err.message);
        if (!opts.quiet) console.warn(`warning: ${err.message}; trying the next backend`);
      }
    }
  }
  throw new BackendError('no tfjs backend could be initialised', 'failed');
}
