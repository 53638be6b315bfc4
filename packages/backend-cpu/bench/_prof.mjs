import { generateSyntheticModel } from '@wsp/weights';
import { compileNetwork, createNativeCpu } from '../dist/native.js';
const model = generateSyntheticModel();
const be = createNativeCpu({ threads: Number(process.env.THREADS ?? 2), winograd: Number(process.env.WINO ?? 4) });
const net = compileNetwork(be, model, {});
const [B, T] = (process.env.SHAPE ?? '1x200').split('x').map(Number);
const f = new Float32Array(B * T * 80).map(() => Math.random() * 4 - 2);
for (let i = 0; i < 3; i++) net.runSync(f, B, T);
const acc = new Float64Array(net.opNames.length); const n = 10;
for (let i = 0; i < n; i++) { const r = net.runProfiled(f, B, T); r.opSeconds.forEach((s, j) => acc[j] += s / n); }
const agg = {};
net.opNames.forEach((name, j) => { const k = name.replace(/\.\d+\./, '.*.'); agg[k] = (agg[k] ?? 0) + acc[j] * 1e3; });
let tot = 0; for (const [k, v] of Object.entries(agg)) { tot += v; console.log(k.padEnd(22), v.toFixed(2)); }
console.log('total', tot.toFixed(2));
