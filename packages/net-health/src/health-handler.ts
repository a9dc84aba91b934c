import type { IncomingMessage, ServerResponse } from 'node:http';
import { evaluateHealth, HTTP_STATUS_BY_HEALTH, type HealthReport, type HealthStatus } from './health-status';
import { silentLogger, type Logger } from './logger';
import type { MonitorSnapshot } from './monitor';
import { integerOption, invalid } from './validate';

export interface HealthHandlerOptions {
  /** Where the state comes from: a `Monitor` (only `snapshot()` is used). */
  monitor?: { snapshot(): MonitorSnapshot };
  /**
   * The app's say over what is reported, called on every request with what the monitor implies.
   * Return a status to report instead, or `undefined` to keep it. nat-agent uses this to keep
   * reporting `passing` while it resigns leadership after the monitor turns unhealthy, so Consul
   * invalidates the session only after the key is released. Required when `monitor` is not given.
   */
  status?: (computed: HealthReport) => HealthStatus | undefined;
  /** The route answered. Default `/health`. Other paths: 404 (standalone) or not handled (mounted). */
  path?: string;
  /** What a healthy but degraded monitor reports: `passing` (200) or `warning` (429). Default `passing`. */
  degradedStatus?: 'passing' | 'warning';
  /** Rounds included in the JSON body. Default 5. */
  roundsInBody?: number;
  logger?: Logger;
}

export interface HealthHandler {
  /**
   * For mounting in an app's own server: answers and returns true when the request is for `path`,
   * otherwise returns false without touching the response.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** A complete `http.createServer` listener: `path` answered, anything else 404. */
  readonly listener: (req: IncomingMessage, res: ServerResponse) => void;
  /** The report the next request would get. */
  report(): HealthReport;
  /**
   * Forces the reported status until cleared with `undefined` (wins over the `status` provider),
   * e.g. `critical` while draining for a shutdown.
   */
  setOverride(status: HealthStatus | undefined, reason?: string): void;
}

const STATUSES = new Set<HealthStatus>(['passing', 'warning', 'critical']);

/**
 * The HTTP endpoint a Consul HTTP check polls: 200 passing, 429 warning, 503 critical (consul-http-api.md
 * §6.3), with a JSON body of the report and the last rounds. `GET` and `HEAD` only.
 */
export function createHealthHandler(options: HealthHandlerOptions): HealthHandler {
  const { monitor, status: provider } = options;
  if (monitor == null && provider == null) {
    throw invalid('monitor', 'set (or status set), so the handler has something to report', 'undefined');
  }
  if (monitor != null && typeof monitor.snapshot !== 'function') {
    throw invalid('monitor', 'an object with snapshot()', typeof monitor);
  }
  if (provider != null && typeof provider !== 'function')
    throw invalid('status', 'a function', typeof provider);
  const path = options.path ?? '/health';
  if (typeof path !== 'string' || !path.startsWith('/') || /[?#\s]/.test(path)) {
    throw invalid('path', 'an absolute URL path without query or fragment, like /health', path);
  }
  const degradedStatus = options.degradedStatus ?? 'passing';
  if (degradedStatus !== 'passing' && degradedStatus !== 'warning') {
    throw invalid('degradedStatus', "'passing' or 'warning'", degradedStatus);
  }
  const roundsInBody = integerOption('roundsInBody', options.roundsInBody, 5, 0, 1000);
  const logger = options.logger ?? silentLogger;
  let override: { status: HealthStatus; reason: string } | undefined;

  const report = (): HealthReport => {
    const computed: HealthReport =
      monitor == null
        ? {
            status: 'passing',
            degraded: false,
            overridden: false,
            reason: 'no monitor: status provider decides',
            rounds: [],
          }
        : evaluateHealth(monitor.snapshot(), degradedStatus, roundsInBody);
    if (override != null) {
      return {
        ...computed,
        status: override.status,
        overridden: override.status !== computed.status,
        reason: override.reason,
      };
    }
    if (provider == null) return computed;
    let chosen: HealthStatus | undefined;
    try {
      chosen = provider(computed);
    } catch (err) {
      // A broken gate must not report passing by accident.
      logger.error({ event: 'health_status_provider_failed', err }, 'net-health status provider threw');
      return {
        ...computed,
        status: 'critical',
        overridden: computed.status !== 'critical',
        reason: 'status provider threw',
      };
    }
    if (chosen == null || chosen === computed.status) return computed;
    if (!STATUSES.has(chosen)) {
      logger.error(
        { event: 'health_status_provider_failed', got: chosen },
        'net-health status provider returned an unknown status',
      );
      return {
        ...computed,
        status: 'critical',
        overridden: true,
        reason: `status provider returned ${String(chosen)}`,
      };
    }
    return {
      ...computed,
      status: chosen,
      overridden: true,
      reason: `${computed.reason} (reported ${chosen} by the app)`,
    };
  };

  const respond = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('method not allowed\n');
      return;
    }
    const current = report();
    const body = JSON.stringify(current);
    res.writeHead(HTTP_STATUS_BY_HEALTH[current.status], {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const matches = (req: IncomingMessage): boolean => {
    const url = req.url ?? '/';
    const q = url.search(/[?#]/);
    return (q === -1 ? url : url.slice(0, q)) === path;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!matches(req)) return false;
    respond(req, res);
    return true;
  };

  return {
    handle,
    listener: (req, res) => {
      if (handle(req, res)) return;
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found\n');
    },
    report,
    setOverride(status, reason) {
      if (status == null) {
        override = undefined;
        return;
      }
      if (!STATUSES.has(status))
        throw invalid('setOverride(status)', "'passing', 'warning', 'critical' or undefined", status);
      override = { status, reason: reason ?? `overridden to ${status} by the app` };
    },
  };
}
