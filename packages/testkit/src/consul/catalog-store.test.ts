import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../clock';
import {
  deleteServiceTxn,
  ensureCheckTxn,
  ensureServiceTxn,
  registerNodeTxn,
  type CheckDraft,
} from './catalog-store';
import { applyKvOp, kvGet, lockDelayUntil } from './kv-store';
import { createSessionTxn, destroySessionTxn } from './session-store';
import { ConsulState } from './state';

const check = (over: Partial<CheckDraft> = {}): CheckDraft => ({
  node: 'n1',
  checkId: 'svc-check',
  name: 'c',
  status: 'passing',
  notes: '',
  output: '',
  serviceId: 'web',
  serviceName: 'web',
  serviceTags: [],
  type: 'ttl',
  interval: '',
  timeout: '',
  ...over,
});

function setup(): ConsulState {
  const state = new ConsulState(createVirtualClock(1_000_000));
  state.apply((tx) => {
    registerNodeTxn(tx, { id: 'id1', node: 'n1', address: '127.0.0.10', datacenter: 'dc1' });
    ensureCheckTxn(tx, { ...check(), checkId: 'serfHealth', serviceId: '', serviceName: '', type: '' });
    ensureServiceTxn(tx, {
      node: 'n1',
      id: 'web',
      service: 'web',
      tags: [],
      address: '',
      meta: new Map(),
      port: 0,
      weights: { Passing: 1, Warning: 1 },
      enableTagOverride: false,
    });
    ensureCheckTxn(tx, check());
  });
  return state;
}

function session(
  state: ConsulState,
  id: string,
  over: { behavior?: 'release' | 'delete'; lockDelayNs?: bigint } = {},
) {
  state.apply((tx) =>
    createSessionTxn(tx, {
      id,
      name: '',
      node: 'n1',
      lockDelayNs: over.lockDelayNs ?? 15_000_000_000n,
      behavior: over.behavior ?? 'release',
      ttl: '',
      nodeChecks: ['serfHealth'],
      serviceChecks: [{ ID: 'svc-check', Namespace: '' }],
      checks: null,
    }),
  );
}

describe('catalog and sessions in one index', () => {
  it('destroys the sessions of a check that goes critical, releasing keys at the same index (rule 52)', () => {
    const state = setup();
    session(state, 'S');
    state.apply((tx) =>
      applyKvOp(tx, { op: 'lock', key: 'l', value: Buffer.from('v'), flags: 0n, session: 'S' }),
    );
    const critical = state.apply((tx) => {
      ensureCheckTxn(tx, check({ status: 'critical' }));
      return tx.index;
    });
    expect(state.sessions.has('S')).toBe(false);
    expect(kvGet(state, 'l').entry).toMatchObject({ session: '', lockIndex: 1, modifyIndex: critical });
    expect(lockDelayUntil(state, 'l')).toBe(1_000_000 + 15_000);
    const ops = state.journal.since(critical - 1).map((e) => [e.index, e.op, e.reason]);
    expect(ops).toEqual([
      [critical, 'check-status', undefined],
      [critical, 'session-destroy', 'check-critical'],
      [critical, 'lock-released-by-invalidation', 'check-critical'],
    ]);
  });

  it('refuses a session on a critical check but accepts a warning one (rule 7)', () => {
    const state = setup();
    state.apply((tx) => ensureCheckTxn(tx, check({ status: 'warning' })));
    session(state, 'S');
    state.apply((tx) => ensureCheckTxn(tx, check({ status: 'critical' })));
    expect(() => session(state, 'T')).toThrow("Check 'svc-check' is in critical state");
  });

  it('destroys the session when the owning service is deregistered (rule 54)', () => {
    const state = setup();
    session(state, 'S', { behavior: 'delete' });
    state.apply((tx) => applyKvOp(tx, { op: 'lock', key: 'l', value: null, flags: 0n, session: 'S' }));
    state.apply((tx) => deleteServiceTxn(tx, 'n1', 'web'));
    expect(state.sessions.has('S')).toBe(false);
    expect(kvGet(state, 'l').entry).toBeUndefined();
  });

  it('caps lock-delay at 60 s while the session keeps reporting its own value (rule 49)', () => {
    const state = setup();
    session(state, 'S', { lockDelayNs: 120_000_000_000n });
    expect(state.sessions.get('S')?.lockDelayNs).toBe(120_000_000_000n);
    state.apply((tx) => applyKvOp(tx, { op: 'lock', key: 'l', value: null, flags: 0n, session: 'S' }));
    state.apply((tx) => destroySessionTxn(tx, 'S', 'explicit'));
    expect(lockDelayUntil(state, 'l')).toBe(1_000_000 + 60_000);
  });

  it('sets no lock-delay for keys released before the destroy (rule 51)', () => {
    const state = setup();
    session(state, 'S');
    state.apply((tx) => applyKvOp(tx, { op: 'lock', key: 'l', value: null, flags: 0n, session: 'S' }));
    state.apply((tx) => applyKvOp(tx, { op: 'unlock', key: 'l', value: null, flags: 0n, session: 'S' }));
    state.apply((tx) => destroySessionTxn(tx, 'S', 'explicit'));
    expect(lockDelayUntil(state, 'l')).toBeUndefined();
  });
});
