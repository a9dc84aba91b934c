/**
 * The HTTP API surface: Consul's endpoint → allowed-methods table (spec §1.1, `http_register.go`)
 * with Go `ServeMux` matching (exact patterns, and patterns ending in `/` as prefixes, longest wins).
 */
import {
  agentCheckDeregister,
  agentCheckRegister,
  agentCheckTtl,
  agentCheckUpdate,
  agentChecks,
  agentMembers,
  agentSelf,
  agentServiceDeregister,
  agentServiceRegister,
  agentServices,
} from './agent-endpoint';
import { catalogNodes, healthService, statusLeader, statusPeers } from './catalog-endpoint';
import { kvEndpoint } from './kv-endpoint';
import type { Reply } from './reply';
import type { RequestContext } from './request-context';
import {
  sessionCreate,
  sessionDestroy,
  sessionInfo,
  sessionList,
  sessionNode,
  sessionRenew,
} from './session-endpoint';

export interface Route {
  readonly pattern: string;
  readonly methods: readonly string[];
  readonly handler: (ctx: RequestContext) => Reply | Promise<Reply>;
  /** Answered by the servers over RPC (so `?dc` matters), not by the agent itself. */
  readonly rpc: boolean;
}

const GET = ['GET'] as const;
const PUT = ['PUT'] as const;

export const ROUTES: readonly Route[] = [
  { pattern: '/v1/kv/', methods: ['GET', 'PUT', 'DELETE'], handler: kvEndpoint, rpc: true },
  { pattern: '/v1/session/create', methods: PUT, handler: sessionCreate, rpc: true },
  { pattern: '/v1/session/destroy/', methods: PUT, handler: sessionDestroy, rpc: true },
  { pattern: '/v1/session/renew/', methods: PUT, handler: sessionRenew, rpc: true },
  { pattern: '/v1/session/info/', methods: GET, handler: sessionInfo, rpc: true },
  { pattern: '/v1/session/node/', methods: GET, handler: sessionNode, rpc: true },
  { pattern: '/v1/session/list', methods: GET, handler: sessionList, rpc: true },
  { pattern: '/v1/agent/self', methods: GET, handler: agentSelf, rpc: false },
  { pattern: '/v1/agent/members', methods: GET, handler: agentMembers, rpc: false },
  { pattern: '/v1/agent/services', methods: GET, handler: agentServices, rpc: false },
  { pattern: '/v1/agent/checks', methods: GET, handler: agentChecks, rpc: false },
  { pattern: '/v1/agent/service/register', methods: PUT, handler: agentServiceRegister, rpc: false },
  { pattern: '/v1/agent/service/deregister/', methods: PUT, handler: agentServiceDeregister, rpc: false },
  { pattern: '/v1/agent/check/register', methods: PUT, handler: agentCheckRegister, rpc: false },
  { pattern: '/v1/agent/check/deregister/', methods: PUT, handler: agentCheckDeregister, rpc: false },
  // PUT only in current versions (older agents also accepted GET, spec §1.1).
  {
    pattern: '/v1/agent/check/pass/',
    methods: PUT,
    rpc: false,
    handler: agentCheckTtl('passing', '/v1/agent/check/pass/'),
  },
  {
    pattern: '/v1/agent/check/warn/',
    methods: PUT,
    rpc: false,
    handler: agentCheckTtl('warning', '/v1/agent/check/warn/'),
  },
  {
    pattern: '/v1/agent/check/fail/',
    methods: PUT,
    rpc: false,
    handler: agentCheckTtl('critical', '/v1/agent/check/fail/'),
  },
  { pattern: '/v1/agent/check/update/', methods: PUT, handler: agentCheckUpdate, rpc: false },
  { pattern: '/v1/health/service/', methods: GET, handler: healthService, rpc: true },
  { pattern: '/v1/catalog/nodes', methods: GET, handler: catalogNodes, rpc: true },
  { pattern: '/v1/status/leader', methods: GET, handler: statusLeader, rpc: true },
  { pattern: '/v1/status/peers', methods: GET, handler: statusPeers, rpc: true },
];

export type RouteMatch = { route: Route } | { redirect: string } | undefined;

/** Go `ServeMux` matching, including its redirect of `/v1/kv` to the registered `/v1/kv/`. */
export function matchRoute(path: string): RouteMatch {
  let best: Route | undefined;
  for (const r of ROUTES) {
    if (r.pattern.endsWith('/')) {
      if (path.startsWith(r.pattern) && (best == null || r.pattern.length > best.pattern.length)) best = r;
    } else if (path === r.pattern) {
      return { route: r };
    }
  }
  if (best != null) return { route: best };
  if (ROUTES.some((r) => r.pattern === `${path}/`)) return { redirect: `${path}/` };
  return undefined;
}
