/**
 * The Python/PyTorch Ascend port's published NPU table, exactly as published (its README, "NPU
 * 性能数据 (warmup=5, iterations=50)"), shown next to our numbers but never mixed with them: it
 * was measured on another machine (Ascend NPU, CANN 8.5.1, torch-npu 2.9.0), on another front end.
 * The figures are the CLI's (`wsp bench` prints them beside an ascend run), read from its source so
 * there is one copy; this app bundles them.
 */
import { PYTHON_PORT_PERF } from '../../../cli/src/python-port.js';

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
  rows: Object.freeze<PublishedRow[]>(
    PYTHON_PORT_PERF.map(({ batch, frames, meanMs, stdMs, p99Ms, throughput }) => ({ batch, frames, meanMs, stdMs, p99Ms, samplesPerSecond: throughput })),
  ),
});

export function publishedNpu(batch: number, frames: number): PublishedRow | undefined {
  return ASCEND_PORT_NPU.rows.find((r) => r.batch === batch && r.frames === frames);
}
