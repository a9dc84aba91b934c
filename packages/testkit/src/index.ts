// Public entry of @nat-ha/testkit: an explicit named barrel (house style 6).

// Time
export { createSystemClock, createVirtualClock } from './clock';
export type { TestClock, TimerHandle, VirtualClock } from './clock';

// Errors
export { TestkitError } from './errors';
export type { TestkitErrorCode, TestkitErrorOptions } from './errors';

// Consul emulator (issue 3)

// EC2 / Auto Scaling / IMDS emulators and the VPC world (issue 4)
