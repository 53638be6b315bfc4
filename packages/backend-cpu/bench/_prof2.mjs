import { generateSyntheticModel } from '@wsp/weights';
import { compileNetwork, createNativeCpu } from '../dist/native.js';
const model = generateSyntheticModel();
const be = createNativeCpu({ threads: Number(process.env.THREADS ?? 2), winograd: Number(process.env.WINO ?? 4) });
const net = compileNetwork(be, model, {});
const [B, T] = (process.env.SHAPE ?? '1x200').split('x').map(Number);
const f = new Float32Array(B * T * 80).map(() => Math.random() * 4 - 2);
for (let i = 0; i < 3; i++) net.runSync(f, B, T);
const acc = new Float64Array(net.opNames.length).fill(1e9); const n = 20;
for (let i = 0; i < n; i++) { const r = net.runProfiled(f, B, T); r.opSeconds.forEach((s, j) => acc[j] = Math.min(acc[j], s)); }
let tot = 0;
net.opNames.forEach((name, j) => { tot += acc[j]; if (/layer.\.[01]\.|conv1$/.test(name)) console.log(name.padEnd(22), (acc[j]*1e3).toFixed(3)); });
console.log('total', (tot*1e3).toFixed(2));
