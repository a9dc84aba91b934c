import { DiscoveryError } from './errors';

/**
 * The typed notices IMDS can carry about this instance's imminent departure
 * (ec2-query-and-imds.md §3.5, §4.3), and the parsers that turn IMDS bodies into them.
 */

/** `meta-data/spot/instance-action`: the two-minute Spot interruption warning [D-SPOT]. */
export interface SpotInterruptionEvent {
  type: 'spot-interruption';
  action: 'terminate' | 'stop' | 'hibernate' | (string & {});
  /** When EC2 will act (`time`). */
  deadline: Date;
  /** Clock time of the poll that first saw this notice. */
  observedAt: Date;
}

/** `meta-data/events/recommendations/rebalance` [D-REBAL]. */
export interface RebalanceRecommendationEvent {
  type: 'rebalance-recommendation';
  noticeTime: Date;
  observedAt: Date;
}

/** `meta-data/autoscaling/target-lifecycle-state` changed [D-ASG-TLS]. */
export interface LifecycleStateEvent {
  type: 'lifecycle-state';
  /** `InService`, `Terminated`, `Detached`, `Standby`, `Warmed:Hibernated|Running|Stopped|Terminated`. */
  targetState: string;
  /** The value seen on the previous successful poll; absent on the first observation. */
  previousState?: string;
  observedAt: Date;
}

/** One entry of `meta-data/events/maintenance/scheduled` [D-SCHED]. */
export interface ScheduledMaintenanceEvent {
  type: 'scheduled-maintenance';
  code:
    | 'instance-stop'
    | 'instance-retirement'
    | 'instance-reboot'
    | 'system-reboot'
    | 'system-maintenance'
    | (string & {});
  eventId: string;
  state: 'active' | 'completed' | 'canceled' | (string & {});
  description: string;
  /** Absent when IMDS sent a time this parser does not understand (the raw text is kept below). */
  notBefore?: Date;
  notAfter?: Date;
  notBeforeDeadline?: Date;
  raw: { NotBefore?: string; NotAfter?: string; NotBeforeDeadline?: string };
  observedAt: Date;
}

export type InterruptionEvent =
  SpotInterruptionEvent | RebalanceRecommendationEvent | LifecycleStateEvent | ScheduledMaintenanceEvent;

export type InterruptionSource = 'spot' | 'rebalance' | 'lifecycle' | 'maintenance';

/** The IMDS path each source is read from. */
export const INTERRUPTION_PATHS: Readonly<Record<InterruptionSource, string>> = {
  spot: 'meta-data/spot/instance-action',
  rebalance: 'meta-data/events/recommendations/rebalance',
  lifecycle: 'meta-data/autoscaling/target-lifecycle-state',
  maintenance: 'meta-data/events/maintenance/scheduled',
};

/**
 * Whether a notice means "hand the routes to a peer now" (§3.5, §8.1 step 8): any Spot action, a
 * rebalance recommendation, an ASG target state of `Terminated` or `Warmed:*` (leaving service
 * for the warm pool), or an active scheduled `instance-stop`, `instance-retirement`,
 * `system-reboot` or `instance-reboot`.
 */
export function shouldHandOff(event: InterruptionEvent): boolean {
  switch (event.type) {
    case 'spot-interruption':
    case 'rebalance-recommendation':
      return true;
    case 'lifecycle-state':
      return event.targetState === 'Terminated' || event.targetState.startsWith('Warmed:');
    case 'scheduled-maintenance':
      return (
        event.state === 'active' &&
        ['instance-stop', 'instance-retirement', 'system-reboot', 'instance-reboot'].includes(event.code)
      );
  }
}

function parseJson(path: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DiscoveryError(
      'IMDS_BAD_RESPONSE',
      `IMDS ${path} is not JSON: ${JSON.stringify(text.slice(0, 200))}`,
      {
        cause: err,
      },
    );
  }
}

function isoTime(path: string, field: string, value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : undefined;
  if (date == null || Number.isNaN(date.getTime())) {
    throw new DiscoveryError('IMDS_BAD_RESPONSE', `IMDS ${path} has no valid \`${field}\` time`);
  }
  return date;
}

/** `{"action": "terminate", "time": "2017-09-18T08:22:00Z"}` → action and deadline (§4.3, rule 43). */
export function parseSpotInstanceAction(text: string): Pick<SpotInterruptionEvent, 'action' | 'deadline'> {
  const path = INTERRUPTION_PATHS.spot;
  const body = parseJson(path, text) as { action?: unknown; time?: unknown } | null;
  if (body == null || typeof body !== 'object' || typeof body.action !== 'string' || body.action === '') {
    throw new DiscoveryError('IMDS_BAD_RESPONSE', `IMDS ${path} has no \`action\``);
  }
  return { action: body.action, deadline: isoTime(path, 'time', body.time) };
}

/** `{"noticeTime": "2020-10-27T08:22:00Z"}` (§4.3, rule 43). */
export function parseRebalanceRecommendation(text: string): Pick<RebalanceRecommendationEvent, 'noticeTime'> {
  const path = INTERRUPTION_PATHS.rebalance;
  const body = parseJson(path, text) as { noticeTime?: unknown } | null;
  if (body == null || typeof body !== 'object') {
    throw new DiscoveryError('IMDS_BAD_RESPONSE', `IMDS ${path} is not a JSON object`);
  }
  return { noticeTime: isoTime(path, 'noticeTime', body.noticeTime) };
}

/** Plain-text lifecycle name (rule 44); an empty body carries no state. */
export function parseTargetLifecycleState(text: string): string | undefined {
  const state = text.trim();
  return state === '' ? undefined : state;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MAINTENANCE_TIME = /^(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/**
 * Parses the scheduled-event time format `21 Jan 2019 09:00:43 GMT` (rule 45; AEMM's Go layout
 * `2 Jan 2006 15:04:05 GMT`) explicitly rather than trusting `Date.parse` with a non-ISO string,
 * whose result is implementation-defined. ISO-8601 is accepted too.
 */
export function parseMaintenanceTime(text: string | undefined): Date | undefined {
  if (text == null) return undefined;
  const m = MAINTENANCE_TIME.exec(text.trim());
  if (m != null) {
    const [, day, mon, year, hh, mm, ss] = m;
    const month = MONTHS.indexOf(mon ?? '');
    if (month < 0) return undefined;
    const t = Date.UTC(Number(year), month, Number(day), Number(hh), Number(mm), Number(ss));
    const date = new Date(t);
    return date.getUTCDate() === Number(day) ? date : undefined;
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const date = new Date(text);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  return undefined;
}

/** The JSON array of scheduled events, `[]` when none (rule 45). */
export function parseScheduledMaintenance(
  text: string,
): Omit<ScheduledMaintenanceEvent, 'type' | 'observedAt'>[] {
  const path = INTERRUPTION_PATHS.maintenance;
  if (text.trim() === '') return [];
  const body = parseJson(path, text);
  if (!Array.isArray(body)) {
    throw new DiscoveryError('IMDS_BAD_RESPONSE', `IMDS ${path} is not a JSON array`);
  }
  return body.map((item: unknown, index) => {
    if (item == null || typeof item !== 'object') {
      throw new DiscoveryError('IMDS_BAD_RESPONSE', `IMDS ${path} entry ${index} is not an object`);
    }
    const e = item as Record<string, unknown>;
    const str = (name: string): string | undefined => (typeof e[name] === 'string' ? e[name] : undefined);
    const code = str('Code');
    const eventId = str('EventId');
    if (code == null || eventId == null) {
      throw new DiscoveryError('IMDS_BAD_RESPONSE', `IMDS ${path} entry ${index} lacks Code or EventId`);
    }
    const raw: ScheduledMaintenanceEvent['raw'] = {};
    const notBeforeText = str('NotBefore');
    const notAfterText = str('NotAfter');
    const deadlineText = str('NotBeforeDeadline');
    if (notBeforeText != null) raw.NotBefore = notBeforeText;
    if (notAfterText != null) raw.NotAfter = notAfterText;
    if (deadlineText != null) raw.NotBeforeDeadline = deadlineText;
    const notBefore = parseMaintenanceTime(notBeforeText);
    const notAfter = parseMaintenanceTime(notAfterText);
    const notBeforeDeadline = parseMaintenanceTime(deadlineText);
    return {
      code,
      eventId,
      state: str('State') ?? 'active',
      description: str('Description') ?? '',
      ...(notBefore != null ? { notBefore } : {}),
      ...(notAfter != null ? { notAfter } : {}),
      ...(notBeforeDeadline != null ? { notBeforeDeadline } : {}),
      raw,
    };
  });
}
