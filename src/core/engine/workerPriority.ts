// Inference is background work. ONNX Runtime keeps every core busy during a run, and the caller's garbage
// collections (its parallel scavenges need a core for each helper) then waited for one: the extension host's
// event loop stalled for 25-65 ms. On Linux a thread's nice value is its own (setpriority(PRIO_PROCESS, 0)
// acts on the calling thread) and new threads inherit it, so lowering the worker thread before ONNX Runtime
// starts its pool lowers all inference threads and nothing else. On macOS and Windows the same call would
// lower the whole process (the extension host itself), so there it is not made.
import * as os from 'node:os';

export const WORKER_NICE = 10;

/** Lowers the calling thread's priority by WORKER_NICE; call on the worker thread before creating a session. */
export function lowerThisThreadPriority(): void {
  if (process.platform !== 'linux') return;
  try {
    os.setPriority(0, Math.min(19, os.getPriority(0) + WORKER_NICE));
  } catch {
    // Not permitted in some sandboxes; inference still works at normal priority.
  }
}
