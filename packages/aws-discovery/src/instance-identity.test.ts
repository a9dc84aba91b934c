import { describe, expect, it } from 'vitest';
import { createImdsClient } from './imds-client';
import { getInstanceIdentity, parseIdentityDocument } from './instance-identity';
import { createMockImds } from '../test/support/mock-imds';

const MAC = '0e:49:61:0f:c3:11';
const DOCUMENT = {
  devpayProductCodes: null,
  marketplaceProductCodes: null,
  availabilityZone: 'us-east-1b',
  privateIp: '10.0.1.10',
  version: '2017-09-30',
  instanceId: 'i-0abc',
  billingProducts: null,
  instanceType: 't3.micro',
  accountId: '123456789012',
  imageId: 'ami-1',
  pendingTime: '2024-01-01T00:00:00Z',
  architecture: 'x86_64',
  kernelId: null,
  ramdiskId: null,
  region: 'us-east-1',
};

function metadata(overrides: Record<string, string | undefined> = {}) {
  const base: Record<string, string | undefined> = {
    // AEMM serves JSON pretty-printed with tabs (§4.3): whitespace must not matter.
    '/latest/dynamic/instance-identity/document': JSON.stringify(DOCUMENT, null, '\t'),
    '/latest/meta-data/mac': MAC,
    '/latest/meta-data/public-ipv4': '198.51.100.7',
    '/latest/meta-data/instance-life-cycle': 'spot',
    [`/latest/meta-data/network/interfaces/macs/${MAC}/interface-id`]: 'eni-0f95',
    [`/latest/meta-data/network/interfaces/macs/${MAC}/vpc-id`]: 'vpc-1',
    [`/latest/meta-data/network/interfaces/macs/${MAC}/subnet-id`]: 'subnet-1\n',
    ...overrides,
  };
  return createMockImds((call) => {
    if (call.method === 'PUT') return { status: 200, body: 'tok' };
    const value = base[call.path];
    return value == null ? { status: 404 } : { status: 200, body: value };
  });
}

describe('getInstanceIdentity', () => {
  it('assembles the identity from the document, mac and the primary ENI keys (§4.3, §8)', async () => {
    const mock = metadata();
    const imds = createImdsClient({ dispatcher: mock.agent });
    await expect(getInstanceIdentity(imds)).resolves.toEqual({
      instanceId: 'i-0abc',
      region: 'us-east-1',
      availabilityZone: 'us-east-1b',
      accountId: '123456789012',
      instanceType: 't3.micro',
      privateIp: '10.0.1.10',
      vpcId: 'vpc-1',
      subnetId: 'subnet-1',
      networkInterfaceId: 'eni-0f95',
      macAddress: MAC,
      publicIp: '198.51.100.7',
      lifecycle: 'spot',
    });
  });

  it('uses one token and exactly seven GETs', async () => {
    const mock = metadata();
    await getInstanceIdentity(createImdsClient({ dispatcher: mock.agent }));
    expect(mock.puts()).toHaveLength(1);
    expect(mock.gets()).toHaveLength(7);
  });

  it('leaves publicIp out when IMDS has none (404, §4.3)', async () => {
    const mock = metadata({
      '/latest/meta-data/public-ipv4': undefined,
      '/latest/meta-data/instance-life-cycle': 'on-demand',
    });
    const identity = await getInstanceIdentity(createImdsClient({ dispatcher: mock.agent }));
    expect(identity).not.toHaveProperty('publicIp');
    expect(identity.lifecycle).toBe('on-demand');
  });

  it('normalises an upper-case MAC before building the ENI paths', async () => {
    const mock = metadata({ '/latest/meta-data/mac': MAC.toUpperCase() });
    const identity = await getInstanceIdentity(createImdsClient({ dispatcher: mock.agent }));
    expect(identity.macAddress).toBe(MAC);
  });

  it('a missing required path is IMDS_NOT_FOUND naming the path', async () => {
    const mock = metadata({ [`/latest/meta-data/network/interfaces/macs/${MAC}/vpc-id`]: undefined });
    await expect(getInstanceIdentity(createImdsClient({ dispatcher: mock.agent }))).rejects.toMatchObject({
      code: 'IMDS_NOT_FOUND',
      message: expect.stringContaining('/vpc-id'),
    });
  });

  it('a malformed MAC is IMDS_BAD_RESPONSE', async () => {
    const mock = metadata({ '/latest/meta-data/mac': '<html>' });
    await expect(getInstanceIdentity(createImdsClient({ dispatcher: mock.agent }))).rejects.toMatchObject({
      code: 'IMDS_BAD_RESPONSE',
    });
  });

  it('passes the signal through: an aborted signal makes no request', async () => {
    const mock = metadata();
    const ac = new AbortController();
    ac.abort();
    await expect(
      getInstanceIdentity(createImdsClient({ dispatcher: mock.agent }), { signal: ac.signal }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    expect(mock.calls).toHaveLength(0);
  });
});

describe('parseIdentityDocument', () => {
  it.each([
    ['not json', 'is not JSON'],
    ['[]', 'not a JSON object'],
    [JSON.stringify({ ...DOCUMENT, region: undefined }), '`region`'],
    [JSON.stringify({ ...DOCUMENT, accountId: 1234 }), '`accountId`'],
  ])('rejects %s with IMDS_BAD_RESPONSE', (text, fragment) => {
    expect(() => parseIdentityDocument(text)).toThrow(
      expect.objectContaining({ code: 'IMDS_BAD_RESPONSE', message: expect.stringContaining(fragment) }),
    );
  });
});
