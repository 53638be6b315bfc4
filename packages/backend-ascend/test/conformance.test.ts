// The wsp-backend/1 conformance suite of @wsp/resnet-graph against the fake CANN, with the float64
// oracle as the reference; nothing excluded. Run for the default fp32 backend, and for a backend
// with ACL graph capture (compiled runs capture on their second run and replay afterwards).
import { afterAll, describe, it } from 'vitest';
import { describeBackendConformance } from '@wsp/resnet-graph/testing';
import { AscendBackend } from '../src/index.js';
import { useFakeCann } from './helpers/fake-cann.js';
import { expectNothingLeft } from './helpers/suite.js';

useFakeCann();

describeBackendConformance({ describe, it }, { name: 'ascend (fake CANN)', create: () => new AscendBackend() });

describeBackendConformance(
  { describe, it },
  { name: 'ascend (fake CANN), graph capture', create: () => new AscendBackend({ graphCapture: true }), fullModel: false },
);

describe('after the conformance suite', () => {
  afterAll(expectNothingLeft);
  it('every backend the suite created was disposed', () => expectNothingLeft());
});
