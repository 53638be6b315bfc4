/**
 * The Python/PyTorch Ascend port's published NPU table, exactly as published (its README, "NPU
 * 性能数据 (warmup=5, iterations=50)"), shown next to our numbers but never mixed with them: it
 * was measured on another machine (Ascend NPU, CANN 8.5.1, torch-npu 2.9.0), on another front end.
 */

export interface PublishedRow {
  batch: number;
  frames: number;
  meanMs: number;
  stdMs: number;
  p99Ms: number;
  samplesPerSecond: number;
}

export const ASCEND_PORT_NPU = Object.freeze({
  label: 'Ascend NPU, Python port (published; another machine)',
  source:
    'WeSpeaker-ResNet34-LM-MLX-Ascend README (https://ai.gitcode.com/Delicate02/WeSpeaker-ResNet34-LM-MLX-Ascend), ' +
    'benchmark_perf.py --device npu, warmup 5, iterations 50; CANN 8.5.1, torch 2.9.0 + torch-npu 2.9.0.post1, Python 3.11',
  rows: Object.freeze<PublishedRow[]>([
    { batch: 1, frames: 100, meanMs: 3.939, stdMs: 0.114, p99Ms: 4.359, samplesPerSecond: 253.86 },
    { batch: 1, frames: 200, meanMs: 3.888, stdMs: 0.051, p99Ms: 4.011, samplesPerSecond: 257.23 },
    { batch: 1, frames: 400, meanMs: 3.848, stdMs: 0.042, p99Ms: 3.948, samplesPerSecond: 259.86 },
    { batch: 4, frames: 200, meanMs: 3.882, stdMs: 0.128, p99Ms: 4.386, samplesPerSecond: 1030.35 },
    { batch: 8, frames: 200, meanMs: 4.084, stdMs: 0.028, p99Ms: 4.163, samplesPerSecond: 1958.98 },
    { batch: 16, frames: 200, meanMs: 5.808, stdMs: 0.029, p99Ms: 5.906, samplesPerSecond: 2754.71 },
  ]),
});

export function publishedNpu(batch: number, frames: number): PublishedRow | undefined {
  return ASCEND_PORT_NPU.rows.find((r) => r.batch === batch && r.frames === frames);
}
