// The whole wsp-backend/1 conformance suite, nothing excluded.
import { describe, it } from 'vitest';
import { describeBackendConformance } from '@wsp/resnet-graph/testing';
import { PortableCpuBackend } from '../src/index.js';

describeBackendConformance({ describe, it }, { name: 'cpu-portable', create: () => new PortableCpuBackend() });
