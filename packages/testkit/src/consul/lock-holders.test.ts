import { describe, expect, it } from 'vitest';
import type { ConsulJournalEntry } from './journal';
import { lockHolders } from './lock-holders';

const e = (
  entry: Partial<ConsulJournalEntry> & Pick<ConsulJournalEntry, 'op' | 'index'>,
): ConsulJournalEntry => ({
  time: entry.index * 1000,
  ...entry,
});

describe('lockHolders', () => {
  it('builds one interval per holder, continuing across re-acquire and plain PUT', () => {
    const journal = [
      e({ op: 'kv-acquire', index: 10, key: 'l', session: 'S', node: 'n1', lockIndex: 1 }),
      e({ op: 'kv-acquire', index: 11, key: 'l', session: 'S', node: 'n1', lockIndex: 1 }),
      e({ op: 'kv-set', index: 12, key: 'l', session: 'S' }),
      e({ op: 'kv-acquire', index: 13, key: 'other', session: 'T', node: 'n2', lockIndex: 1 }),
      e({ op: 'check-status', index: 14, node: 'n1', checkId: 'c', status: 'critical' }),
      e({ op: 'session-destroy', index: 14, session: 'S', reason: 'check-critical' }),
      e({ op: 'lock-released-by-invalidation', index: 14, key: 'l', session: 'S', lockIndex: 1 }),
      e({ op: 'kv-acquire', index: 20, key: 'l', session: 'T', node: 'n2', lockIndex: 2 }),
    ];
    expect(lockHolders(journal, 'l')).toEqual([
      {
        session: 'S',
        node: 'n1',
        from: 10_000,
        to: 14_000,
        lockIndex: 1,
        fromIndex: 10,
        toIndex: 14,
        endedBy: 'lock-released-by-invalidation',
      },
      { session: 'T', node: 'n2', from: 20_000, lockIndex: 2, fromIndex: 20 },
    ]);
  });

  it('ends a period on delete-tree of a covering prefix, not on a release by another session', () => {
    const journal = [
      e({ op: 'kv-acquire', index: 1, key: 'a/l', session: 'S', node: 'n1', lockIndex: 1 }),
      e({ op: 'kv-release', index: 2, key: 'a/l', session: 'T' }),
      e({ op: 'kv-delete-tree', index: 3, key: 'a/' }),
    ];
    const [only] = lockHolders(journal, 'a/l');
    expect(only).toMatchObject({ session: 'S', toIndex: 3, endedBy: 'kv-delete-tree' });
  });
});
