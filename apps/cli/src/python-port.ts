/**
 * The published results of the Python/PyTorch Ascend NPU port of WeSpeaker-ResNet34-LM (its README,
 * kept in /work/shared/seed/ascend-port-notes.txt): measured on another machine (Ascend NPU, CANN
 * 8.5.1, torch 2.9.0 + torch-npu 2.9.0.post1, Python 3.11), never here. Printed beside our figures
 * when the backend is `ascend`, so the two can be read side by side.
 */
export const PYTHON_PORT_LABEL = 'Python port, Ascend NPU (published figures from another machine, not measured here)';

/** benchmark_perf.py, warmup 5, iterations 50. The port's table has no p50 column. */
export const PYTHON_PORT_PERF = [
  { batch: 1, frames: 100, meanMs: 3.939, stdMs: 0.114, p99Ms: 4.359, throughput: 253.86 },
  { batch: 1, frames: 200, meanMs: 3.888, stdMs: 0.051, p99Ms: 4.011, throughput: 257.23 },
  { batch: 1, frames: 400, meanMs: 3.848, stdMs: 0.042, p99Ms: 3.948, throughput: 259.86 },
  { batch: 4, frames: 200, meanMs: 3.882, stdMs: 0.128, p99Ms: 4.386, throughput: 1030.35 },
  { batch: 8, frames: 200, meanMs: 4.084, stdMs: 0.028, p99Ms: 4.163, throughput: 1958.98 },
  { batch: 16, frames: 200, meanMs: 5.808, stdMs: 0.029, p99Ms: 5.906, throughput: 2754.71 },
] as const;

/** benchmark_accuracy.py, NPU against the CPU baseline, 100 samples (relative errors as fractions). */
export const PYTHON_PORT_ACCURACY = {
  numSamples: 100,
  meanRelativeError: 0.000799,
  maxRelativeError: 0.001487,
  meanCosine: 1.0,
  minCosine: 0.999999,
  meanMaxAbsError: 0.000153,
  maxMaxAbsError: 0.00033,
} as const;
