/**
 * A deterministic slice of a grid for one machine of many. Shards are 0-based (`--shard 0/4`
 * … `3/4`), like Kubernetes' JOB_COMPLETION_INDEX; cell k belongs to shard k mod n, so the
 * expensive and cheap cells spread evenly and the slices are disjoint and cover the grid.
 */
export interface Shard {
  index: number;
  count: number;
}

export function parseShard(spec: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  if (!m) throw new Error(`--shard "${spec}": write i/n with 0 ≤ i < n (0-based), e.g. 0/4`);
  return checkShard(Number(m[1]), Number(m[2]), `--shard ${spec}`);
}

/**
 * The shard a scheduler assigned, if any: Slurm job arrays (SLURM_ARRAY_TASK_ID, counted from
 * SLURM_ARRAY_TASK_MIN, with SLURM_ARRAY_TASK_COUNT) or a Kubernetes Indexed Job
 * (JOB_COMPLETION_INDEX with the count from `count` or SIMCLR_SHARD_COUNT).
 */
export function shardFromEnv(env: NodeJS.ProcessEnv, count?: number): Shard | undefined {
  const integer = (name: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    if (!/^\d+$/.test(v.trim())) throw new Error(`${name}="${v}" is not a non-negative integer`);
    return Number(v);
  };
  const slurmId = integer('SLURM_ARRAY_TASK_ID');
  if (slurmId !== undefined) {
    const n = integer('SLURM_ARRAY_TASK_COUNT') ?? count;
    if (n === undefined) throw new Error('SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: pass --shard-count');
    return checkShard(slurmId - (integer('SLURM_ARRAY_TASK_MIN') ?? 0), n, 'Slurm array task');
  }
  const k8sIndex = integer('JOB_COMPLETION_INDEX');
  if (k8sIndex !== undefined) {
    const n = count ?? integer('SIMCLR_SHARD_COUNT');
    if (n === undefined) throw new Error('JOB_COMPLETION_INDEX is set: give the number of completions with --shard-count or SIMCLR_SHARD_COUNT');
    return checkShard(k8sIndex, n, 'JOB_COMPLETION_INDEX');
  }
  return undefined;
}

export function inShard<T extends { index: number }>(items: T[], shard: Shard | undefined): T[] {
  return shard ? items.filter((item) => item.index % shard.count === shard.index) : items;
}

function checkShard(index: number, count: number, what: string): Shard {
  if (!Number.isInteger(count) || count < 1) throw new Error(`${what}: the shard count must be a positive integer, got ${count}`);
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new Error(`${what}: shard ${index} is outside 0..${count - 1} (shards are 0-based)`);
  return { index, count };
}
