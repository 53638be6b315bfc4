// @wsp/backend-cpu/portable: only the pure-TypeScript backend (no Node APIs; for browser bundles).
import './register-portable.js';

export * from './portable/index.js';
