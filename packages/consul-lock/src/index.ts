// Public entry of @nat-ha/consul-lock: an explicit named barrel (house style 6).

export { ConsulLockError } from './errors';
export type { ConsulLockErrorCode, ConsulLockErrorOptions } from './errors';
