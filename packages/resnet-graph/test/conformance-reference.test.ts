// The conformance suite against the oracle-backed reference backend: checks the suite's own
// machinery (leak accounting, dispose rules, error classes) on a backend whose numbers are exact.
import { describe, it } from 'vitest';
import { ReferenceBackend, describeBackendConformance } from '../src/testing/index.js';

// The full-size model is left to the fast backends: here it would run the float64 oracle three times.
describeBackendConformance({ describe, it }, { name: 'reference', create: () => new ReferenceBackend(), fullModel: false });
