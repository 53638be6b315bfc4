import type { NdArray } from 'ndarray';
import { readFileBytes } from './node-io.js';
import { readSafetensors } from './safetensors-read.js';
import type { TorchCheckpoint, TorchReadOptions } from './torch-read.js';
import { openTorchCheckpoint } from './torch-read.js';

/** Path forms of the format readers (Node only; node:fs is loaded on first use). */

/** `readSafetensors` on a file: every tensor as contiguous float32 (F32 zero-copy where aligned). */
export async function readSafetensorsFile(
  path: string,
): Promise<{ metadata: Record<string, string>; tensors: Map<string, NdArray<Float32Array>> }> {
  return readSafetensors(await readFileBytes(path), { file: path });
}

/** `openTorchCheckpoint` on a file read into memory. */
export async function openTorchCheckpointFile(path: string, options: Omit<TorchReadOptions, 'file'> = {}): Promise<TorchCheckpoint> {
  return openTorchCheckpoint(await readFileBytes(path), { ...options, file: path });
}
