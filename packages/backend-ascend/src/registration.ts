import type { BackendCreateOptions, BackendRegistration } from '@wsp/resnet-graph';
import { isAvailable } from './availability.js';
import type { AscendBackendOptions } from './backend.js';
import { AscendBackend } from './backend.js';
import { BACKEND_NAME } from './errors.js';

/** Registry name and priority: above every CPU backend, so 'auto' picks an NPU when there is one. */
export const ASCEND_BACKEND_NAME = BACKEND_NAME;
export const ASCEND_BACKEND_PRIORITY = 100;

/** Reads the AscendBackendOptions keys from registry options (`device`, `precision`, ...). */
function backendOptions(options: BackendCreateOptions = {}): AscendBackendOptions {
  const picked: AscendBackendOptions = {};
  if (typeof options.device === 'number') picked.device = options.device;
  if (typeof options.precision === 'string') picked.precision = options.precision as AscendBackendOptions['precision'];
  if (typeof options.deterministic === 'boolean') picked.deterministic = options.deterministic;
  if (typeof options.graphCapture === 'boolean') picked.graphCapture = options.graphCapture;
  if (typeof options.maxCachedShapes === 'number') picked.maxCachedShapes = options.maxCachedShapes;
  if (typeof options.onWarning === 'function') picked.onWarning = options.onWarning as AscendBackendOptions['onWarning'];
  return picked;
}

export const ascendRegistration: BackendRegistration = {
  priority: ASCEND_BACKEND_PRIORITY,
  description: 'Huawei Ascend NPU through CANN aclnn (CANN loaded at run time)',
  isAvailable() {
    const a = isAvailable();
    return a.available ? { available: true } : { available: false, reason: a.reason };
  },
  create: (options) => new AscendBackend(backendOptions(options)),
};
