// Public entry of @nat-ha/aws-discovery: an explicit named barrel (house style 6).

export { DiscoveryError } from './errors';
export type { DiscoveryErrorCode, DiscoveryErrorOptions } from './errors';
