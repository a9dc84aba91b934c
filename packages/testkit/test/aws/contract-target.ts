/**
 * One contract suite, two backends (house style 16): the EC2/IMDS rules run against the testkit
 * emulator, and — when a user sets AWS_ENDPOINT_URL_EC2 (with AWS_REGION and credentials in the
 * environment) — the read-only and DryRun rules run against that endpoint instead. Rules that
 * need emulator controls or the emulator's world are skipped there, with the reason in the name.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import { it } from 'vitest';
import {
  startAws,
  type AwsCredentials,
  type AwsEmulator,
  type AwsEmulatorOptions,
} from '../../src/aws/aws-emulator';
import { signV4 } from './sigv4';

const realEndpoint = process.env.AWS_ENDPOINT_URL_EC2;
/** True when the suite runs against a real EC2 endpoint chosen by the user. */
export const REAL_AWS = realEndpoint != null && realEndpoint !== '';

/** `it` for rules that need emulator controls or the emulator's world; skipped on real AWS. */
export const itEmulator = (name: string, fn: () => Promise<void>, timeout?: number): void => {
  it.skipIf(REAL_AWS)(`${name} [emulator controls]`, fn, timeout);
};

export interface ContractTarget {
  readonly kind: 'emulator' | 'aws';
  readonly region: string;
  readonly ec2Endpoint: string;
  readonly autoscalingEndpoint: string;
  readonly credentials: AwsCredentials;
  /** The emulator (kind `emulator` only). */
  readonly aws: AwsEmulator | undefined;
  ec2(config?: Partial<EC2ClientConfig>): EC2Client;
  autoscaling(): AutoScalingClient;
  /** A signed raw Query request (for wire-level rules). */
  raw(params: Record<string, string> | string, options?: RawOptions): Promise<RawResponse>;
  close(): Promise<void>;
}

export interface RawOptions {
  method?: 'GET' | 'POST';
  path?: string;
  contentType?: string;
  service?: 'ec2' | 'autoscaling';
  sign?: boolean;
  credentials?: AwsCredentials;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: string;
}

/** Form-encodes like the SDK (RFC 3986 strict). */
export function formEncode(params: Record<string, string>): string {
  const enc = (s: string): string =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return Object.entries(params)
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .join('&');
}

export async function openTarget(options: AwsEmulatorOptions = {}): Promise<ContractTarget> {
  let aws: AwsEmulator | undefined;
  let region: string;
  let ec2Endpoint: string;
  let autoscalingEndpoint: string;
  let credentials: AwsCredentials;
  if (REAL_AWS) {
    region = process.env.AWS_REGION ?? 'us-east-1';
    ec2Endpoint = realEndpoint as string;
    autoscalingEndpoint =
      process.env.AWS_ENDPOINT_URL_AUTO_SCALING ?? `https://autoscaling.${region}.amazonaws.com`;
    credentials = {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? '',
      ...(process.env.AWS_SESSION_TOKEN != null ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}),
    };
  } else {
    aws = await startAws(options);
    region = aws.region;
    ec2Endpoint = aws.endpoint;
    autoscalingEndpoint = aws.endpoint;
    credentials = aws.credentials('operator');
  }
  const clients: { destroy(): void }[] = [];
  return {
    kind: REAL_AWS ? 'aws' : 'emulator',
    region,
    ec2Endpoint,
    autoscalingEndpoint,
    credentials,
    aws,
    ec2(config = {}) {
      const c = new EC2Client({ region, endpoint: ec2Endpoint, credentials, maxAttempts: 1, ...config });
      clients.push(c);
      return c;
    },
    autoscaling() {
      const c = new AutoScalingClient({ region, endpoint: autoscalingEndpoint, credentials, maxAttempts: 1 });
      clients.push(c);
      return c;
    },
    async raw(params, o = {}) {
      const service = o.service ?? 'ec2';
      const base = new URL(service === 'ec2' ? ec2Endpoint : autoscalingEndpoint);
      const url = new URL(o.path ?? base.pathname, base);
      const method = o.method ?? 'POST';
      const encoded = typeof params === 'string' ? params : formEncode(params);
      let body = '';
      if (method === 'GET') url.search = encoded;
      else body = encoded;
      const headers: Record<string, string> =
        method === 'POST' ? { 'content-type': o.contentType ?? 'application/x-www-form-urlencoded' } : {};
      const signed =
        o.sign === false
          ? headers
          : signV4({
              method,
              url,
              body,
              headers,
              region,
              service,
              credentials: o.credentials ?? credentials,
            });
      const res = await fetch(url, { method, headers: signed, ...(method === 'POST' ? { body } : {}) });
      return { status: res.status, headers: res.headers, body: await res.text() };
    },
    async close() {
      for (const c of clients) c.destroy();
      await aws?.close();
    },
  };
}

/** Runs `fn` against a fresh target and always closes it. */
export async function withTarget<T>(
  options: AwsEmulatorOptions,
  fn: (t: ContractTarget) => Promise<T>,
): Promise<T> {
  const t = await openTarget(options);
  try {
    return await fn(t);
  } finally {
    await t.close();
  }
}

/** The error an SDK call threw (fails the test when it resolved). */
export async function sdkError(
  promise: Promise<unknown>,
): Promise<
  Error & { name: string; $metadata: { httpStatusCode?: number; attempts?: number; requestId?: string } }
> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { name: string; $metadata: { httpStatusCode?: number; attempts?: number } };
  }
  throw new Error('expected the call to fail');
}
