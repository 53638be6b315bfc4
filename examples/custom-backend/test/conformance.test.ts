// A third-party backend runs the conformance suite in a few lines.
import { describe, it } from 'vitest';
import { describeBackendConformance } from '@wsp/resnet-graph/testing';
import { NaiveCpuBackend } from '../src/index.js';

describeBackendConformance({ describe, it }, { name: 'example-naive', create: () => new NaiveCpuBackend() });
