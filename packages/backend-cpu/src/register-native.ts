// Side effect of importing @wsp/backend-cpu (Node entry): registers 'cpu', the native addon.
// Registering never loads the addon; isAvailable() does, and says why when it cannot.
import { registerBackend } from '@wsp/resnet-graph';
import { NATIVE_BACKEND_NAME, nativeRegistration } from './native/registration.js';

registerBackend(NATIVE_BACKEND_NAME, nativeRegistration);
