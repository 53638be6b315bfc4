// Side effect of importing @wsp/backend-cpu (or @wsp/backend-cpu/portable): registers 'cpu-portable'.
import { registerBackend } from '@wsp/resnet-graph';
import { PORTABLE_BACKEND_NAME, portableRegistration } from './portable/index.js';

registerBackend(PORTABLE_BACKEND_NAME, portableRegistration);
