// The Consul contract suite (CONTRIBUTING.md "Contract suites take a base URL"): every rule of
// consul-http-api.md §10 against the emulator, and against a real agent when CONSUL_HTTP_ADDR is set.
import { describe } from 'vitest';
import { defineConsulContract } from './contract/define-contract';
import { createEmulatorDriver, createRealAgentDriver } from './contract/driver';

defineConsulContract(createEmulatorDriver());

const realAddress = process.env.CONSUL_HTTP_ADDR;
if (realAddress != null && realAddress !== '') {
  defineConsulContract(createRealAgentDriver(realAddress, process.env.CONSUL_HTTP_TOKEN || undefined));
} else {
  describe.skip('Consul contract against a real agent (set CONSUL_HTTP_ADDR to run)', () => {});
}
