// The one way this project loads onnxruntime-node. ONNX Runtime 1.29+ queues telemetry on Linux and macOS
// (session events with model and graph names and a device id, in ~/.cache/Microsoft/DeveloperTools/.onnxruntime,
// plus /tmp/mat-debug-<pid>.log) unless ORT_DISABLE_TELEMETRY is set when the native library starts; newer
// releases read ORT_TELEMETRY_DISABLED. The native code reads the process's real environment, and a worker
// thread's process.env is only a JS copy (assigning it does not reach getenv), so the variables must be set on
// the main thread before any worker that loads the binding is started: EngineClient does that, and every entry
// point that loads onnxruntime-node in its own thread (tests, bench) goes through loadOrt().
import { isMainThread } from 'node:worker_threads';
import { InspectorError } from '../errors';

/** The variables ONNX Runtime reads to turn its telemetry off. */
export const ORT_TELEMETRY_OFF: Readonly<Record<string, string>> = {
  ORT_DISABLE_TELEMETRY: '1',
  ORT_TELEMETRY_DISABLED: '1',
};

/**
 * ONNX Runtime's own log lines go straight to stderr, bypassing our messages (an out-of-range Gather printed a
 * coloured line before the error we report anyway): only fatal ones are let through.
 */
export const ORT_LOG_SEVERITY = 4;

/** Sets the telemetry switches in the real process environment; call on the main thread before a worker starts. */
export function disableOrtTelemetry(): void {
  for (const [k, v] of Object.entries(ORT_TELEMETRY_OFF)) process.env[k] = v;
}

/** True when this thread's environment (as the native library will see it) has telemetry off. */
export function ortTelemetryIsOff(): boolean {
  return Object.entries(ORT_TELEMETRY_OFF).every(([k, v]) => process.env[k] === v);
}

type Ort = typeof import('onnxruntime-node');

/** The options every engine session is opened with; `threads` intra-op threads. */
export function engineSessionOptions(threads: number): import('onnxruntime-node').InferenceSession.SessionOptions {
  return {
    // CPU only: the platform VSIXs ship no other provider's libraries (scripts/vsix-targets.js).
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    logSeverityLevel: ORT_LOG_SEVERITY,
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    // Idle pool threads sleep instead of spinning: the cores are shared with the editor, and a spinning pool
    // on a busy machine measured 2-5x slower (bench/spinning.ts; README "Thread pool policy").
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}
let loaded: Ort | undefined;

/**
 * onnxruntime-node with telemetry off and its logging quiet. On a worker thread whose parent did not turn
 * telemetry off the variables can no longer reach the native library, so it refuses rather than leak.
 */
export function loadOrt(): Ort {
  if (loaded) return loaded;
  if (isMainThread) disableOrtTelemetry();
  else if (!ortTelemetryIsOff()) {
    throw new Error(
      'onnxruntime-node was loaded on a worker thread whose parent did not call disableOrtTelemetry() first.',
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ort = require('onnxruntime-node') as Ort;
  ort.env.logLevel = 'fatal';
  loaded = ort;
  return ort;
}

/** A session on `file` (a cached copy of `onnxPath`, which the error names). */
export async function openSession(
  file: string,
  threads: number,
  onnxPath: string,
): Promise<import('onnxruntime-node').InferenceSession> {
  try {
    return await loadOrt().InferenceSession.create(file, engineSessionOptions(threads));
  } catch (err) {
    throw new InspectorError(
      'GRAPH_INVALID',
      `ONNX Runtime cannot load ${onnxPath}: ${(err as Error).message}`,
      'Re-export the model to ONNX (opset 14 or newer).',
    );
  }
}
