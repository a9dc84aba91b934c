/**
 * A small model of Consul's ACL system: tokens by SecretID, each with exact and prefix rules per
 * resource, a default policy, and the 403 texts of spec §7.1. It enforces what the emulated
 * endpoints need (`key`, `session`, `node`, `service`, `agent`); policies, roles and the
 * `/v1/acl/*` API are not emulated.
 */
import { createHash } from 'node:crypto';
import type { ConsulAclOptions } from './options';
import { goQuote } from './go-url';
import { RpcError } from './http-errors';

export type AclAccess = 'deny' | 'read' | 'list' | 'write';
export type AclResource = 'key' | 'session' | 'node' | 'service' | 'agent';
export type AclLevel = 'read' | 'list' | 'write';

/** Rules like an ACL policy's `key "x" {}` / `key_prefix "x" {}` blocks; exact beats prefix, longest prefix wins. */
export interface AclRules {
  key?: Record<string, AclAccess>;
  keyPrefix?: Record<string, AclAccess>;
  session?: Record<string, AclAccess>;
  sessionPrefix?: Record<string, AclAccess>;
  node?: Record<string, AclAccess>;
  nodePrefix?: Record<string, AclAccess>;
  service?: Record<string, AclAccess>;
  servicePrefix?: Record<string, AclAccess>;
  agent?: Record<string, AclAccess>;
  agentPrefix?: Record<string, AclAccess>;
}

export interface AclTokenSpec {
  /** Reported in `Permission denied: token with AccessorID '…'`. Default derived from the SecretID. */
  accessorId?: string;
  /** A management token may do anything. */
  management?: boolean;
  rules?: AclRules;
}

export const ANONYMOUS_TOKEN_SECRET = 'anonymous';
export const ANONYMOUS_ACCESSOR_ID = '00000000-0000-0000-0000-000000000002';

export interface Authorizer {
  readonly accessorId: string;
  allowed(resource: AclResource, name: string, level: AclLevel): boolean;
  /** `key:write` on a whole prefix (recursive delete): no rule at or under it may grant less. */
  keyWritePrefix(prefix: string): boolean;
}

/** An error whose text makes Consul's HTTP layer answer 403 (it matches on substrings). */
export class AclError extends RpcError {
  override readonly name = 'AclError';
}

const ALLOW_ALL: Authorizer = {
  accessorId: '',
  allowed: () => true,
  keyWritePrefix: () => true,
};

function derivedAccessor(secret: string): string {
  const h = createHash('sha256').update(`accessor:${secret}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function grants(access: AclAccess, level: AclLevel): boolean {
  if (access === 'write') return true;
  if (access === 'deny') return false;
  // Without `acl.enable_key_list_policy`, read covers list.
  return level !== 'write';
}

function ruleFor(rules: AclRules, resource: AclResource, name: string): AclAccess | undefined {
  const exact = rules[resource]?.[name];
  if (exact != null) return exact;
  const prefixes = rules[`${resource}Prefix` as const];
  if (prefixes == null) return undefined;
  let best: string | undefined;
  for (const p of Object.keys(prefixes)) {
    if (name.startsWith(p) && (best == null || p.length > best.length)) best = p;
  }
  return best == null ? undefined : prefixes[best];
}

function createAuthorizer(
  spec: AclTokenSpec,
  accessorId: string,
  defaultPolicy: 'allow' | 'deny',
): Authorizer {
  if (spec.management === true) return { ...ALLOW_ALL, accessorId };
  const rules = spec.rules ?? {};
  const fallback: AclAccess = defaultPolicy === 'allow' ? 'write' : 'deny';
  return {
    accessorId,
    allowed(resource, name, level) {
      return grants(ruleFor(rules, resource, name) ?? fallback, level);
    },
    keyWritePrefix(prefix) {
      if (!grants(ruleFor(rules, 'key', prefix) ?? fallback, 'write')) return false;
      for (const table of [rules.key, rules.keyPrefix]) {
        for (const [k, access] of Object.entries(table ?? {})) {
          if (k.startsWith(prefix) && !grants(access, 'write')) return false;
        }
      }
      return true;
    },
  };
}

/** Resolves the SecretID a request carried (after header/query precedence, spec §1.6). */
export function resolveAclToken(acl: ConsulAclOptions | undefined, secret: string): Authorizer {
  if (acl == null) return ALLOW_ALL;
  const effective = secret === '' ? ANONYMOUS_TOKEN_SECRET : secret;
  const spec = acl.tokens[effective];
  if (spec == null) {
    if (effective === ANONYMOUS_TOKEN_SECRET)
      return createAuthorizer({}, ANONYMOUS_ACCESSOR_ID, acl.defaultPolicy);
    throw new AclError('ACL not found');
  }
  const accessor =
    spec.accessorId ??
    (effective === ANONYMOUS_TOKEN_SECRET ? ANONYMOUS_ACCESSOR_ID : derivedAccessor(effective));
  return createAuthorizer(spec, accessor, acl.defaultPolicy);
}

/** The current `Permission denied` text (spec §7.1). */
export function permissionDenied(
  authz: Authorizer,
  resource: AclResource,
  level: AclLevel,
  name: string,
): AclError {
  const who =
    authz.accessorId === ANONYMOUS_ACCESSOR_ID
      ? 'anonymous token'
      : `token with AccessorID '${authz.accessorId}'`;
  const on = name === '' ? '' : ` on ${goQuote(name)}`;
  return new AclError(`Permission denied: ${who} lacks permission '${resource}:${level}'${on}`);
}

/** Throws the 403 error unless allowed. */
export function requireAcl(authz: Authorizer, resource: AclResource, name: string, level: AclLevel): void {
  if (!authz.allowed(resource, name, level)) throw permissionDenied(authz, resource, level, name);
}
