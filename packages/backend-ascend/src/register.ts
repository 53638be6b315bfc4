// Side effect of importing @wsp/backend-ascend: registers the 'ascend' backend (priority 100).
import { registerBackend } from '@wsp/resnet-graph';
import { ASCEND_BACKEND_NAME, ascendRegistration } from './registration.js';

registerBackend(ASCEND_BACKEND_NAME, ascendRegistration);
