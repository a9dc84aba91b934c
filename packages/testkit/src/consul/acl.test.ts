import { describe, expect, it } from 'vitest';
import { ANONYMOUS_ACCESSOR_ID, permissionDenied, resolveAclToken } from './acl';
import type { ConsulAclOptions } from './options';

const acl: ConsulAclOptions = {
  defaultPolicy: 'deny',
  tokens: {
    root: { management: true },
    app: {
      accessorId: 'aaaaaaaa-0000-0000-0000-000000000001',
      rules: { keyPrefix: { '': 'read', 'service/app/': 'write' }, key: { 'service/app/secret': 'deny' } },
    },
  },
};

describe('resolveAclToken', () => {
  it('allows everything when ACLs are off, whatever the token', () => {
    expect(resolveAclToken(undefined, 'nope').allowed('key', 'x', 'write')).toBe(true);
  });

  it('answers an unknown token with ACL not found (rule 69)', () => {
    expect(() => resolveAclToken(acl, 'nope')).toThrow('ACL not found');
  });

  it('applies exact rules before the longest prefix, then the default policy', () => {
    const app = resolveAclToken(acl, 'app');
    expect(app.allowed('key', 'service/app/leader', 'write')).toBe(true);
    expect(app.allowed('key', 'service/app/secret', 'read')).toBe(false);
    expect(app.allowed('key', 'other', 'read')).toBe(true);
    expect(app.allowed('key', 'other', 'write')).toBe(false);
    expect(app.allowed('session', 'node1', 'write')).toBe(false);
    expect(resolveAclToken(acl, 'root').allowed('session', 'node1', 'write')).toBe(true);
  });

  it('requires write on every rule under a prefix for a recursive delete', () => {
    const app = resolveAclToken(acl, 'app');
    expect(app.keyWritePrefix('service/app/')).toBe(false); // service/app/secret is denied
    expect(app.keyWritePrefix('service/app/x/')).toBe(true);
  });

  it('uses the anonymous token for requests without one', () => {
    const anon = resolveAclToken(acl, '');
    expect(anon.accessorId).toBe(ANONYMOUS_ACCESSOR_ID);
    expect(anon.allowed('key', 'a', 'read')).toBe(false);
  });
});

describe('permissionDenied', () => {
  it('renders the current Permission denied text (spec §7.1)', () => {
    const app = resolveAclToken(acl, 'app');
    expect(permissionDenied(app, 'key', 'write', 'service/app/leader').message).toBe(
      `Permission denied: token with AccessorID 'aaaaaaaa-0000-0000-0000-000000000001' lacks permission 'key:write' on "service/app/leader"`,
    );
    expect(permissionDenied(resolveAclToken(acl, ''), 'session', 'write', 'node1').message).toBe(
      `Permission denied: anonymous token lacks permission 'session:write' on "node1"`,
    );
  });
});
