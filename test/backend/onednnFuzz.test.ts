import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { addonPath } from '../../src/backend/onednn/index.js';
import { onednnAvailable } from './onednnHelpers.js';

const CHILD = fileURLToPath(new URL('./onednnFuzzChild.cjs', import.meta.url));

// A crash in native code would take the test runner down with it: run it in a child process.
describe.skipIf(!onednnAvailable('onednnFuzz.test.ts'))('the oneDNN addon under random shapes and bad arguments', () => {
  for (const seed of [1, 2]) {
    it(`never crashes, refuses every bad call, gives finite outputs (seed ${seed})`, () => {
      const child = spawnSync(process.execPath, [CHILD, addonPath()!, String(seed), '40'], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '2' } });
      expect(child.signal, child.stderr).toBeNull();
      expect(child.status, child.stderr).toBe(0);
      const { valid, refused } = JSON.parse(child.stdout.trim().split('\n').pop()!) as { valid: number; refused: number };
      expect(valid).toBe(40 * 10 + 3);
      expect(refused).toBe(40 * 27 + 5);
    });
  }
});
