// What `wsp doctor` shows about the Ascend side of this machine.
import ndarray from 'ndarray';
import type { AscendAvailability, UnavailableCode } from './availability.js';
import { cannVersion, isAvailable } from './availability.js';
import type { AscendPrecision } from './backend.js';
import { AscendBackend } from './backend.js';
import { fromNativeError } from './errors.js';
import { loadNative } from './native.js';

export interface AscendDeviceInfo {
  id: number;
  /** e.g. "Ascend910B3" (aclrtGetSocName). */
  socName: string | null;
  memoryTotal: number | null;
  memoryFree: number | null;
  /** Set when the device could not be opened. */
  error?: string;
}

export interface AscendReport {
  available: boolean;
  code?: UnavailableCode;
  reason?: string;
  /** From `<arch>-linux/ascend_toolkit_install.info` next to the loaded libraries. */
  cannVersion: string | null;
  /** AscendCL interface version (aclrtGetVersion). */
  aclVersion: string | null;
  libraryDirectory: string | null;
  libraries: string[];
  deviceCount: number;
  devices: AscendDeviceInfo[];
  /** The precision a backend starts with, and (with probePrecision) the one the device really ran. */
  precision: { requested: AscendPrecision; effective: AscendPrecision | null; warnings: string[] };
  graphCapture: boolean;
  deterministicMode: boolean;
}

export interface DescribeOptions {
  /** Precision to report (and probe). Default 'fp32'. */
  precision?: AscendPrecision;
  /**
   * Run one small convolution and linear layer on device 0 to learn whether the requested precision
   * is accepted or falls back to HF32. Default false.
   */
  probePrecision?: boolean;
}

/** Facts about CANN and the Ascend devices of this machine; never throws. */
export function describeAscend(options: DescribeOptions = {}): AscendReport {
  const requested = options.precision ?? 'fp32';
  const availability: AscendAvailability = isAvailable();
  const load = loadNative();
  const loader = load.ok ? load.addon.loaderReport() : undefined;
  const report: AscendReport = {
    available: availability.available,
    cannVersion: loader?.status === 'ok' ? cannVersion(loader.libraryDirectory) : null,
    aclVersion: null,
    libraryDirectory: loader?.libraryDirectory || null,
    libraries: loader?.loaded ?? [],
    deviceCount: availability.available ? availability.deviceCount : 0,
    devices: [],
    precision: { requested, effective: null, warnings: [] },
    graphCapture: loader?.graphCapture ?? false,
    deterministicMode: loader?.deterministicMode ?? false,
  };
  if (!availability.available) {
    report.code = availability.code;
    report.reason = availability.reason;
    return report;
  }
  if (!load.ok) return report;
  for (let id = 0; id < availability.deviceCount; id++) {
    try {
      const info = load.addon.deviceInfo(id);
      report.devices.push({ id, socName: info.socName, memoryTotal: info.memoryTotal ?? null, memoryFree: info.memoryFree ?? null });
      report.aclVersion ??= info.aclVersion ?? null;
    } catch (e) {
      report.devices.push({ id, socName: null, memoryTotal: null, memoryFree: null, error: fromNativeError(e).message });
    }
  }
  if (options.probePrecision) probePrecision(report, requested);
  return report;
}

function probePrecision(report: AscendReport, requested: AscendPrecision): void {
  const warnings: string[] = [];
  let backend: AscendBackend | undefined;
  try {
    backend = new AscendBackend({ precision: requested, onWarning: (w) => warnings.push(w) });
    const conv = backend.prepareConv2d({
      weight: ndarray(new Float32Array(9).fill(0.1), [1, 3, 3, 1]),
      bias: ndarray(new Float32Array([0]), [1]),
      stride: 1,
      padding: 1,
    });
    const x = backend.upload(ndarray(new Float32Array(16).fill(1), [1, 1, 4, 4]));
    backend.conv2d(x, conv, { relu: false }).dispose();
    const linear = backend.prepareLinear({ weight: ndarray(new Float32Array(4).fill(1), [1, 4]), bias: ndarray(new Float32Array([0]), [1]) });
    const v = backend.upload(ndarray(new Float32Array(4).fill(1), [1, 4]));
    backend.linear(v, linear).dispose();
    report.precision.effective = backend.precision;
  } catch (e) {
    warnings.push(`precision probe failed: ${fromNativeError(e).message}`);
  } finally {
    backend?.dispose();
  }
  report.precision.warnings = warnings;
}
