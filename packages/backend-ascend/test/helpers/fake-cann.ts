// The fake CANN toolkits (test/fake-cann) and its test-only report and fault injection, reached
// through the addon's `testing` hooks.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNative } from '../../src/native.js';

export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FAKE_CANN_DIR = join(PACKAGE_DIR, 'test', 'fake-cann');

export type ToolkitVariant = 'toolkit' | 'toolkit-split' | 'toolkit-no-sqrt' | 'toolkit-no-nnopbase' | 'toolkit-broken';

export function fakeToolkit(variant: ToolkitVariant = 'toolkit'): string {
  const machine = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
  return join(FAKE_CANN_DIR, 'build', machine, variant);
}

/** Points this process at a fake toolkit, as `source set_env.sh` would (before the first probe). */
export function useFakeCann(variant: ToolkitVariant = 'toolkit'): void {
  const dir = fakeToolkit(variant);
  process.env.ASCEND_HOME_PATH = dir;
  process.env.ASCEND_OPP_PATH = join(dir, 'opp');
}

export interface FakeReport {
  live: Record<
    | 'tensors'
    | 'intArrays'
    | 'scalars'
    | 'tensorLists'
    | 'executors'
    | 'deviceAllocations'
    | 'deviceBytes'
    | 'hostAllocations'
    | 'streams'
    | 'contexts'
    | 'defaultContexts'
    | 'deviceRefs'
    | 'graphs'
    | 'pendingTasks',
    number
  >;
  counters: Record<
    'prepares' | 'launches' | 'kernelsRun' | 'syncs' | 'copies' | 'mallocs' | 'captures' | 'replays' | 'maxWorkspaceRequested' | 'violations',
    number
  >;
  lastViolation: string;
  deterministicContexts: number;
  initialized: boolean;
  cubeMathTypes: Record<string, number[]>;
}

function addon() {
  const load = loadNative();
  if (!load.ok) throw load.error;
  return load.addon;
}

export function fakeReport(): FakeReport {
  const json = addon().testing.fakeReport();
  if (json === null) throw new Error('the loaded CANN is not the fake CANN');
  return JSON.parse(json) as FakeReport;
}

/** Replaces the fake's fault plan (grammar in test/fake-cann/src/runtime.cpp, parsePlan). */
export function injectFaults(spec: string): void {
  addon().testing.fakeInject(spec);
}

export function setMutation(name: 'skip-sync-before-read', on: boolean): void {
  addon().testing.setMutation(name, on);
}

/** Every device-side object the fake counts; all must be zero once everything is disposed. */
const LIVE_KEYS = [
  'tensors',
  'intArrays',
  'scalars',
  'tensorLists',
  'executors',
  'deviceAllocations',
  'hostAllocations',
  'streams',
  'contexts',
  'defaultContexts',
  'deviceRefs',
  'graphs',
  'pendingTasks',
] as const;

export function liveObjects(report: FakeReport = fakeReport()): Record<string, number> {
  return Object.fromEntries(LIVE_KEYS.map((k) => [k, report.live[k]]));
}

export const NOTHING_LIVE: Record<string, number> = Object.fromEntries(LIVE_KEYS.map((k) => [k, 0]));
