// onnxruntime-node as the tests' oracle, quiet: its warnings (shape mismatches it tolerates,
// "Serializing optimized model ...", deprecated attributes, old opsets of deliberately odd models)
// drowned real failures in the test output. Importing this sets the process-wide level, read once
// at the first session; QUIET is for every session's options. Errors still throw, with the message.
import * as ort from 'onnxruntime-node';

ort.env.logLevel = 'error';

/** Session options that log errors only (severity 3: ERROR). */
export const QUIET = { logSeverityLevel: 3 } as const;

/**
 * For a session (and its runs) that a test expects to fail: fatal only, since the rejection
 * already carries onnxruntime's message and the test checks it.
 */
export const SILENT = { logSeverityLevel: 4 } as const;
