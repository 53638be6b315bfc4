// The whole wsp-backend/1 conformance suite, nothing excluded.
import { describe, it } from 'vitest';
import { describeBackendConformance } from '@wsp/resnet-graph/testing';
import { PortableCpuBackend } from '../src/index.js';

describeBackendConformance({ describe, it }, { name: 'cpu-portable', create: () => new PortableCpuBackend() });

// The im2col path alone (every convolution), so it is checked on large-channel 3x3 shapes too.
describeBackendConformance(
  { describe, it },
  { name: 'cpu-portable, winograd off', create: () => new PortableCpuBackend({ winograd: false }), fullModel: false },
);
