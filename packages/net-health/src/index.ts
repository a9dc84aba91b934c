// Public entry of @nat-ha/net-health: an explicit named barrel (house style 6).

export { NetHealthError } from './errors';
export type { NetHealthErrorCode, NetHealthErrorOptions } from './errors';
