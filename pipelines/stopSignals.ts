export type StopSignal = 'SIGINT' | 'SIGTERM';
const SIGNAL_NUMBERS: Record<StopSignal, number> = { SIGINT: 2, SIGTERM: 15 };

/** The shell's convention for a process stopped by a signal: 130 (SIGINT), 143 (SIGTERM). */
export function signalExitCode(signal: StopSignal): number {
  return 128 + SIGNAL_NUMBERS[signal];
}

export interface SignalStop {
  /** Aborted by the first SIGINT/SIGTERM (or by `linked`, when given). */
  signal: AbortSignal;
  /** The process signal that aborted it, if one did. */
  received(): StopSignal | undefined;
  dispose(): void;
}

/**
 * The CLI's one way to stop a job: the first SIGINT/SIGTERM aborts `signal` (a run finishes its
 * step, checkpoints and stops); a second exits at once with 128 + its number, which is safe
 * because checkpoints and results are written atomically. Library code only sees the AbortSignal.
 */
export function stopOnSignals(onFirst?: (signal: StopSignal) => void, linked?: AbortSignal): SignalStop {
  const controller = new AbortController();
  let received: StopSignal | undefined;
  const onSignal = (signal: StopSignal) => {
    if (received) process.exit(signalExitCode(signal));
    received = signal;
    onFirst?.(signal);
    controller.abort();
  };
  const abort = () => controller.abort();
  linked?.addEventListener('abort', abort);
  if (linked?.aborted) abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    received: () => received,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      linked?.removeEventListener('abort', abort);
    },
  };
}

/**
 * Runs a job under stopOnSignals; when a signal stopped it, the process exits with 128 + its
 * number (130 SIGINT, 143 SIGTERM) once the job has written its checkpoint.
 */
export async function runStoppable<T>(job: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const stop = stopOnSignals();
  try {
    return await job(stop.signal);
  } finally {
    stop.dispose();
    const signal = stop.received();
    if (signal) process.exitCode = signalExitCode(signal);
  }
}
