// Public entry of @nat-ha/route-switcher: an explicit named barrel (house style 6).

export { RouteSwitcherError } from './errors';
export type { RouteSwitcherErrorCode, RouteSwitcherErrorOptions } from './errors';
