import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../clock';
import { applyKvOp, kvGet, kvKeys, kvList, type KvOp } from './kv-store';
import { ConsulState } from './state';

function setup(): { state: ConsulState; run: (op: KvOp) => boolean } {
  const state = new ConsulState(createVirtualClock(0));
  state.sessions.set('S', {
    id: 'S',
    name: '',
    node: 'n1',
    lockDelayNs: 15_000_000_000n,
    behavior: 'release',
    ttl: '',
    nodeChecks: [],
    serviceChecks: null,
    checks: null,
    createIndex: 1,
    modifyIndex: 1,
  });
  state.sessions.set('T', { ...state.sessions.get('S')!, id: 'T' });
  return { state, run: (op) => state.apply((tx) => applyKvOp(tx, op)) };
}

const v = (s: string): Buffer => Buffer.from(s);

describe('applyKvOp', () => {
  it('leaves ModifyIndex alone on an identical write but consumes the index (R1, R3)', () => {
    const { state, run } = setup();
    run({ op: 'set', key: 'a', value: v('x'), flags: 0n });
    const first = kvGet(state, 'a').entry!;
    run({ op: 'set', key: 'a', value: v('x'), flags: 0n });
    expect(kvGet(state, 'a').entry!.modifyIndex).toBe(first.modifyIndex);
    expect(state.index).toBe(first.modifyIndex + 1);
  });

  it('keeps the holder on a plain set and resets LockIndex to 0 (note A)', () => {
    const { state, run } = setup();
    expect(run({ op: 'lock', key: 'l', value: v('a'), flags: 1n, session: 'S' })).toBe(true);
    run({ op: 'set', key: 'l', value: v('b'), flags: 0n });
    expect(kvGet(state, 'l').entry).toMatchObject({ session: 'S', lockIndex: 0, flags: 0n });
  });

  it('counts acquires in LockIndex and refuses a second holder (R4)', () => {
    const { state, run } = setup();
    run({ op: 'lock', key: 'l', value: null, flags: 0n, session: 'S' });
    expect(run({ op: 'lock', key: 'l', value: null, flags: 0n, session: 'T' })).toBe(false);
    expect(run({ op: 'unlock', key: 'l', value: null, flags: 0n, session: 'S' })).toBe(true);
    expect(run({ op: 'lock', key: 'l', value: null, flags: 0n, session: 'T' })).toBe(true);
    expect(kvGet(state, 'l').entry).toMatchObject({ session: 'T', lockIndex: 2 });
  });

  it('fails an acquire without or with an unknown session with the FSM texts', () => {
    const { run } = setup();
    expect(() => run({ op: 'lock', key: 'l', value: null, flags: 0n, session: '' })).toThrow(
      'missing session',
    );
    expect(() => run({ op: 'lock', key: 'l', value: null, flags: 0n, session: 'nope' })).toThrow(
      'invalid session "nope"',
    );
  });

  it('answers delete-cas true on a missing key and false on a mismatch (spec §3.4)', () => {
    const { state, run } = setup();
    expect(run({ op: 'delete-cas', key: 'gone', cas: 7n })).toBe(true);
    run({ op: 'set', key: 'a', value: null, flags: 0n });
    expect(run({ op: 'delete-cas', key: 'a', cas: 0n })).toBe(false);
    expect(run({ op: 'delete-cas', key: 'a', cas: BigInt(kvGet(state, 'a').entry!.modifyIndex) })).toBe(true);
    expect(kvGet(state, 'a').entry).toBeUndefined();
  });

  it('keeps list indexes from sliding back after deletes (R5)', () => {
    const { state, run } = setup();
    run({ op: 'set', key: 'p/a', value: null, flags: 0n });
    run({ op: 'set', key: 'p/b', value: null, flags: 0n });
    run({ op: 'delete', key: 'p/b' });
    const deleteIndex = state.index;
    expect(kvList(state, 'p/').index).toBe(deleteIndex);
    expect(kvGet(state, 'p/b').index).toBe(deleteIndex);
  });

  it('cuts keys after the first separator following the prefix', () => {
    const { state, run } = setup();
    for (const k of ['web/bar', 'web/foo', 'web/subdir/x', 'web/subdir/y']) {
      run({ op: 'set', key: k, value: null, flags: 0n });
    }
    expect(kvKeys(state, 'web/', '/').keys).toEqual(['web/bar', 'web/foo', 'web/subdir/']);
    expect(kvKeys(state, 'web/', '').keys).toHaveLength(4);
  });
});
