// @wsp/example-custom-backend: a third-party backend for @wsp/resnet-graph. No side effects:
// call registerExampleBackend() to make it selectable by name.
import { registerBackend } from '@wsp/resnet-graph';
import { NaiveCpuBackend } from './naive-backend.js';

export { NaiveCpuBackend };

/** Registers the backend under `name` (default `example-naive`). Priority −1: never picked by 'auto'. */
export function registerExampleBackend(name = 'example-naive', priority = -1): void {
  registerBackend(name, {
    priority,
    description: 'example: naive direct convolution in plain TypeScript',
    isAvailable: () => ({ available: true }),
    create: () => new NaiveCpuBackend(name),
  });
}
