/**
 * The Consul contract: all 80 rules of `consul-http-api.md` §10, one test each, named by rule
 * number, against whatever backend the driver provides.
 */
import { afterEach, beforeEach, describe } from 'vitest';
import type { ConsulContractDriver } from './driver';
import { createHarness, type Harness } from './harness';
import type { RuleContext } from './rule-context';
import { agentRules } from './rules-agent';
import { blockingRules } from './rules-blocking';
import { goLockRules } from './rules-go-lock';
import { kvRules } from './rules-kv';
import { leaderRules } from './rules-leader-acl';
import { lockRules } from './rules-locks';
import { sessionRules } from './rules-sessions';

export function defineConsulContract(driver: ConsulContractDriver): void {
  describe(`Consul contract against ${driver.name}`, () => {
    let harness: Harness | undefined;
    beforeEach(async () => {
      harness = createHarness(await driver.target());
    });
    afterEach(async () => {
      await harness?.cleanup();
      await harness?.t.close();
      harness = undefined;
    });
    const ctx: RuleContext = {
      driver,
      h: () => {
        if (harness == null) throw new Error('no target');
        return harness;
      },
      controls: () => {
        const c = harness?.t.controls;
        if (c == null) throw new Error(`${driver.name} has no emulator controls`);
        return c;
      },
    };
    describe('sessions', () => sessionRules(ctx));
    describe('KV basics', () => kvRules(ctx));
    describe('locks, invalidation and lock-delay', () => lockRules(ctx));
    describe('blocking queries', () => blockingRules(ctx));
    describe('leader loss and ACLs', () => leaderRules(ctx));
    describe('agent, health and status', () => agentRules(ctx));
    describe('api/lock.go compatibility', () => goLockRules(ctx));
  });
}
