/**
 * The control plane over HTTP: a thin RPC over the TypeScript control objects. Mounted under a
 * prefix no AWS or Consul API uses (`/__nat-ha/`), so it can share a port with the emulated API.
 *
 *   GET  <prefix>                     → { services: { aws: [method, …], … } }
 *   POST <prefix><service>/<method>   body: JSON array of arguments (or one non-array value, or
 *                                     nothing) → 200 { "result": … }
 *   GET  <prefix><service>/<method>   same, without arguments (reads: journal, routeTables, …)
 *
 * Errors: 404 { error: { code: "NOT_FOUND" } } for an unknown service/method; 400
 * { error: { code, message } } when the method throws (TestkitError codes).
 */
import type http from 'node:http';
import { TestkitError } from '../../errors';
import { readBody } from '../http/loopback-server';

export const CONTROL_PREFIX = '/__nat-ha/';

/** A control object: its own function-valued properties are the callable methods. */
export type ControlObject = object;

function methodsOf(target: ControlObject): string[] {
  return Object.keys(target).filter((k) => typeof (target as Record<string, unknown>)[k] === 'function');
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.destroyed || res.writableEnded) return;
  const text = JSON.stringify(body === undefined ? null : body);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(text);
}

/** Handles `req` if its path is under the control prefix; returns false otherwise. */
export function handleControlRequest(
  services: ReadonlyMap<string, ControlObject>,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): boolean {
  const path = new URL(req.url ?? '/', 'http://control').pathname;
  if (!path.startsWith(CONTROL_PREFIX)) return false;
  void (async () => {
    const rest = path
      .slice(CONTROL_PREFIX.length)
      .split('/')
      .filter((p) => p !== '');
    if (rest.length === 0) {
      const index: Record<string, string[]> = {};
      for (const [name, target] of services) index[name] = methodsOf(target);
      json(res, 200, { services: index });
      return;
    }
    const [serviceName, method] = rest as [string, string | undefined];
    const target = services.get(serviceName);
    if (target == null || method == null || rest.length !== 2 || !methodsOf(target).includes(method)) {
      json(res, 404, { error: { code: 'NOT_FOUND', message: `no control method ${rest.join('/')}` } });
      return;
    }
    let args: unknown[] = [];
    try {
      const body = req.method === 'POST' || req.method === 'PUT' ? (await readBody(req)).trim() : '';
      if (body !== '') {
        const parsed: unknown = JSON.parse(body);
        args = Array.isArray(parsed) ? parsed : [parsed];
      }
    } catch (err) {
      json(res, 400, {
        error: { code: 'INVALID_OPTION', message: `body must be JSON: ${(err as Error).message}` },
      });
      return;
    }
    try {
      const fn = (target as Record<string, (...a: unknown[]) => unknown>)[method] as (
        ...a: unknown[]
      ) => unknown;
      const result = await fn.apply(target, args);
      json(res, 200, { result: result === undefined ? null : result });
    } catch (err) {
      const code = TestkitError.isInstance(err) ? err.code : 'INTERNAL';
      json(res, TestkitError.isInstance(err) ? 400 : 500, {
        error: { code, message: err instanceof Error ? err.message : String(err) },
      });
    }
  })();
  return true;
}
