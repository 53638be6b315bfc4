import { generateSyntheticModel } from '@wsp/weights';
import { compileNetwork, createNativeCpu } from '/work/wt/cpu-native/packages/backend-cpu/dist/native.js';
const model = generateSyntheticModel();
for (const isa of (process.env.ISAS ?? 'avx512').split(',')) {
const be = createNativeCpu({ isa: isa, threads: Number(process.env.THREADS ?? 2), winograd: Number(process.env.WINO ?? 4) });
const net = compileNetwork(be, model, {});
for (const [B, T] of [[1, 200], [1, 400], [16, 200]]) {
  const f = new Float32Array(B * T * 80).map(() => Math.random() * 4 - 2);
  for (let i = 0; i < 3; i++) net.runSync(f, B, T);
  const n = B > 1 ? 3 : 20; const t0 = performance.now();
  for (let i = 0; i < n; i++) net.runSync(f, B, T);
  console.log(isa, B, T, ((performance.now() - t0) / n).toFixed(2), 'ms');
}
net.dispose();
}
