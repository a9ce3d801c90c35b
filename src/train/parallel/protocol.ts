import type { ModelConfig } from '../../models/simclrModel.js';

/** What a replica thread is started with: its backend and the model it holds a copy of. */
export interface ReplicaConfig {
  backend: 'wasm' | 'cpu';
  model: ModelConfig;
}

/** Values of named tensors: trainable weights out, parameter gradients back. */
export type NamedValues = Record<string, Float32Array>;

/**
 * Pass 1: the replica takes these weights and projects its micro-batches (sizes in images; the
 * views are the micro-batches' [2m, S, S, 3] blocks one after another). It keeps the views for
 * the pass 2 that follows.
 */
export interface ProjectRequest {
  id: number;
  kind: 'project';
  weights: NamedValues;
  views: Float32Array;
  sizes: number[];
  imageSize: number;
}

/** Pass 2: dL/dz of the same micro-batches, rows in the order z was sent. */
export interface BackpropRequest {
  id: number;
  kind: 'backprop';
  dz: Float32Array;
}

export type ReplicaRequest = ProjectRequest | BackpropRequest;

export type ReplicaReply =
  | { id: number; kind: 'project'; z: Float32Array }
  | { id: number; kind: 'backprop'; grads: NamedValues }
  | { id: number; kind: 'error'; error: string };
