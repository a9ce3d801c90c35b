/**
 * TF.js layers models in a directory (`model.json` + `weights.bin`), on every backend: the
 * file:// handlers live in tfjs-node, which the wasm and cpu backends do not have.
 *
 *   await model.save(dirSaveHandler('run/encoder'));
 *   const model = await tf.loadLayersModel(dirLoadHandler('run/encoder'));
 *
 * The format is the one tfjs-node and the TF.js converter write, so either side reads the other.
 */
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { replaceDirAtomic } from './atomic.js';
import { readFileIn, readJsonIn, resolveInside, specByteLength } from './storedDir.js';

export { loadTensorMap, saveTensorMap } from './tensorMap.js';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

/**
 * Saves into `dir`, replacing the whole directory atomically (a reader or a crash sees the
 * previous model or the new one). Files `dir` held before are gone afterwards.
 */
export function dirSaveHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer || artifacts.modelTopology === undefined) {
        throw new Error(`model dir ${dir}: only models with a JSON topology (layers models) can be saved`);
      }
      const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig && { trainingConfig: artifacts.trainingConfig }),
        ...(artifacts.signature && { signature: artifacts.signature }),
        ...(artifacts.userDefinedMetadata && { userDefinedMetadata: artifacts.userDefinedMetadata }),
        ...(artifacts.modelInitializer && { modelInitializer: artifacts.modelInitializer }),
      };
      await replaceDirAtomic(dir, async (tmp) => {
        await fs.writeFile(path.join(tmp, WEIGHTS_BIN), new Uint8Array(weights));
        await fs.writeFile(path.join(tmp, MODEL_JSON), JSON.stringify(modelJson));
      });
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/** Loads `dir/model.json` and its weight files, validating everything before TF.js sees it. */
export function dirLoadHandler(dir: string): tf.io.IOHandler {
  const where = `model dir ${dir}`;
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = (await readJsonIn(dir, MODEL_JSON, where)) as Partial<tf.io.ModelJSON> | null;
      if (json === null || typeof json !== 'object' || Array.isArray(json)) {
        throw new Error(`${where}: model.json is not a JSON object`);
      }
      if (json.modelTopology === null || typeof json.modelTopology !== 'object') {
        throw new Error(`${where}: model.json has no modelTopology`);
      }
      const manifest = json.weightsManifest;
      if (!Array.isArray(manifest)) throw new Error(`${where}: model.json has no weightsManifest`);
      const buffers: ArrayBuffer[] = [];
      for (const group of manifest) {
        if (!Array.isArray(group?.paths) || !Array.isArray(group?.weights)) {
          throw new Error(`${where}: a weightsManifest entry lacks paths or weights`);
        }
        const needed = group.weights.reduce((sum, spec) => sum + specByteLength(spec, where), 0);
        let found = 0;
        for (const rel of group.paths) {
          resolveInside(dir, rel, where);
          const bytes = await readFileIn(dir, rel, where);
          buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
          found += bytes.length;
        }
        if (found !== needed) {
          throw new Error(
            `${where}: weight files [${group.paths.join(', ')}] hold ${found} bytes, the manifest needs ${needed} (truncated or mismatched files)`,
          );
        }
      }
      return tf.io.getModelArtifactsForJSON(json as tf.io.ModelJSON, async (m) => [
        m.flatMap((group) => group.weights),
        buffers,
      ]);
    },
  };
}
