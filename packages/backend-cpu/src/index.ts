// @wsp/backend-cpu: CPU backends for @wsp/resnet-graph. Importing it registers them.
import './register-portable.js';

export * from './portable/index.js';
