// Public entry of @nat-ha/route-switcher: an explicit named barrel (house style 6).

export { createRouteSwitcher } from './route-switcher';
export type { DriftInput, FallbackInput, PlanInput, RouteSwitcher } from './route-switcher';

export { DEFAULTS } from './options';
export type { RateLimits, RouteSwitcherOptions } from './options';
export type { RateLimit } from './token-bucket';

export type { ClaimInput } from './claim-input';
export type { ClaimResult, ExecutedCall, RouteOutcome, RouteStatus, TableOutcome } from './claim';
export type { PlannedCall, PlannedRoute, RouteDecision } from './plan-routes';
export { formatPlan } from './plan';
export type { ClaimPlan, PlanCall, PlanOptions } from './plan';
export type { DriftReport, DriftStatus, RouteDrift } from './drift';
export type {
  RouteTableSelector,
  SelectedRouteTables,
  SelectedTable,
  TagFilter,
} from './select-route-tables';
export type { SourceDestCheckInput, SourceDestCheckResult } from './source-dest-check';
export type { PermissionCheck, SelfTestInput, SelfTestReport } from './iam-self-test';
export type { FollowAddressInput, FollowAddressResult } from './follow-address';
export type { RouteTarget, RouteView } from './route-target';

export type { Clock } from './clock';
export type { Logger } from './logger';
export type { Ec2CallEvent, Ec2CallOutcome, RouteSwitcherMetrics, TokenWaitEvent } from './metrics';

export { RouteSwitcherError } from './errors';
export type { RouteSwitcherErrorCode, RouteSwitcherErrorOptions } from './errors';
export { fromEc2Error } from './ec2-error';
