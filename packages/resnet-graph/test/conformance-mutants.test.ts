// The suite must fail a backend with a realistic bug. Each mutant below is the reference backend
// with one defect; the named conformance tests must reject it (and a correct backend passes them,
// see conformance-reference.test.ts).
import { describe, expect, it } from 'vitest';
import type { DeviceTensor, PoolingVariant, PreparedLinear } from '../src/index.js';
import { ReferenceBackend, describeBackendConformance } from '../src/testing/index.js';
import type { RefTensor } from '../src/testing/index.js';

/** Registers the suite with a collecting fake runner and returns name -> test body. */
function collect(create: () => ReferenceBackend): Map<string, () => Promise<void>> {
  const tests = new Map<string, () => Promise<void>>();
  describeBackendConformance(
    { describe: (_name, body) => body(), it: (name, body) => void tests.set(name, body) },
    { name: 'mutant', create, fullModel: false },
  );
  return tests;
}

async function failureOf(create: () => ReferenceBackend, test: string): Promise<string> {
  const body = collect(create).get(test);
  expect(body, `no conformance test named "${test}"`).toBeDefined();
  try {
    await body!();
  } catch (e) {
    return (e as Error).message;
  }
  return 'passed';
}

class LeakyConv extends ReferenceBackend {
  override conv2d(...args: Parameters<ReferenceBackend['conv2d']>): DeviceTensor {
    this.adopt({ shape: [1], data: new Float64Array(1) }); // a scratch tensor never freed
    return super.conv2d(...args);
  }
}

class IgnoresResidual extends ReferenceBackend {
  override conv2d(x: DeviceTensor, w: Parameters<ReferenceBackend['conv2d']>[1], e: Parameters<ReferenceBackend['conv2d']>[2]): DeviceTensor {
    return super.conv2d(x, w, { relu: e.relu });
  }
}

class FrequencyMajorFlatten extends ReferenceBackend {
  override statsPool(x: DeviceTensor, variant: PoolingVariant): DeviceTensor {
    const pooled = super.statsPool(x, variant);
    const out = this.read(pooled);
    pooled.dispose();
    const [, c, f] = this.read(x).shape;
    const fixed: RefTensor = { shape: out.shape, data: new Float64Array(out.data.length) };
    for (let b = 0; b < out.shape[0]; b++)
      for (let half = 0; half < 2; half++)
        for (let ci = 0; ci < c; ci++)
          for (let fi = 0; fi < f; fi++) {
            const base = b * 2 * c * f + half * c * f;
            fixed.data[base + fi * c + ci] = out.data[base + ci * f + fi]; // (F', C) order: the LAN bug
          }
    return this.adopt(fixed);
  }
}

class BiasedAlways extends ReferenceBackend {
  override statsPool(x: DeviceTensor): DeviceTensor {
    return super.statsPool(x, 'mlx');
  }
}

class NoBias extends ReferenceBackend {
  override linear(x: DeviceTensor, w: PreparedLinear): DeviceTensor {
    // y − linear(0) = x·Wᵀ: the bias dropped.
    const batch = this.read(x).shape[0];
    const zeros = this.adopt({ shape: [batch, w.inFeatures], data: new Float64Array(batch * w.inFeatures) });
    const [withBias, biasOnly] = [super.linear(x, w), super.linear(zeros, w)];
    const y = this.read(withBias);
    const b = this.read(biasOnly);
    for (const t of [zeros, withBias, biasOnly]) t.dispose();
    return this.adopt({ shape: y.shape, data: y.data.map((v, i) => v - b.data[i]) });
  }
}

class NanOnShortInput extends ReferenceBackend {
  override statsPool(x: DeviceTensor, variant: PoolingVariant): DeviceTensor {
    if (this.read(x).shape[3] === 1) return this.adopt({ shape: [1, 2 * this.read(x).shape[1] * this.read(x).shape[2]], data: new Float64Array(12).fill(NaN) });
    return super.statsPool(x, variant);
  }
}

class DisposeThrowsTwice extends ReferenceBackend {
  override upload(...args: Parameters<ReferenceBackend['upload']>): DeviceTensor {
    const t = super.upload(...args);
    const dispose = t.dispose.bind(t);
    let count = 0;
    Object.defineProperty(t, 'dispose', {
      value: () => {
        if (count++ > 0) throw new Error('already disposed');
        dispose();
      },
    });
    return t;
  }
}

describe('the conformance suite rejects broken backends', () => {
  it('a conv that leaks a scratch tensor', async () => {
    expect(await failureOf(() => new LeakyConv(), 'conv2d: 3x3 stride 1, odd sizes, ReLU')).toMatch(/exactly one new device tensor/);
  });

  it('a conv that ignores the residual', async () => {
    expect(await failureOf(() => new IgnoresResidual(), 'conv2d: 3x3 stride 1 with residual and ReLU, batch 3')).toMatch(/max \|diff\|/);
  });

  it('a pooling that flattens frequency-major', async () => {
    expect(await failureOf(() => new FrequencyMajorFlatten(), 'statsPool pyannote: batch 2, odd sizes, c·F+f order')).toMatch(/means: max \|diff\|/);
  });

  it('a pooling that always uses the biased std', async () => {
    expect(await failureOf(() => new BiasedAlways(), 'statsPool wespeaker: batch 2, odd sizes, c·F+f order')).toMatch(/stds: max \|diff\|/);
    expect(await failureOf(() => new BiasedAlways(), 'end-to-end: tiny model, pyannote pooling, batch 3, odd frames')).toMatch(/cosine|max \|diff\|/);
  });

  it('a linear layer without its bias, end to end', async () => {
    expect(await failureOf(() => new NoBias(), 'end-to-end: tiny model, unnormalised embedding')).toMatch(/max \|diff\|/);
  });

  it('a pooling that returns NaN instead of InputTooShortError', async () => {
    expect(await failureOf(() => new NanOnShortInput(), 'errors: ops reject mismatched shapes with ShapeError and too-short pooling with InputTooShortError')).toMatch(
      /expected InputTooShortError, nothing was thrown/,
    );
  });

  it('a tensor whose second dispose() throws', async () => {
    expect(await failureOf(() => new DisposeThrowsTwice(), 'dispose: tensors (twice is a no-op, Symbol.dispose, use after dispose throws DisposedError)')).toMatch(
      /already disposed/,
    );
  });

  it('refuses exclusions without a reason or for unknown tests', () => {
    const register = (exclude: Record<string, string>) =>
      describeBackendConformance({ describe: (_n, body) => body(), it: () => {} }, { name: 'x', create: () => new ReferenceBackend(), exclude });
    expect(() => register({ 'no such test': 'because' })).toThrowError(/unknown test "no such test"/);
    expect(() => register({ 'linear: batch 3, odd sizes': ' ' })).toThrowError(/needs a written reason/);
    expect(() => register({ 'linear: batch 3, odd sizes': 'not implemented yet' })).not.toThrow();
  });
});
