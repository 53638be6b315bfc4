// @wsp/backend-cpu: CPU backends for @wsp/resnet-graph. Importing it registers them:
// 'cpu' (native addon, priority 50) and 'cpu-portable' (pure TypeScript, priority 10).
import './register-native.js';
import './register-portable.js';

export * from './portable/index.js';
export * from './native/index.js';
