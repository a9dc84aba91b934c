import { AutoScalingClient, type AutoScalingClientConfig } from '@aws-sdk/client-auto-scaling';
import { EC2Client, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import { invalidOption } from './errors';
import { httpEndpoint, integerInRange, nonEmptyString } from './validate';

/**
 * Options for `createEc2Client` / `createAutoScalingClient`. The app maps its environment
 * (`AWS_REGION`, `AWS_ENDPOINT_URL_EC2`, …) to these; the library reads none of it.
 */
export interface AwsClientOptions {
  /** Required: also stops the SDK from asking IMDS for the region (§1.5). */
  region: string;
  /** Custom endpoint (VPC endpoint, emulator). Default: the SDK's regional endpoint. */
  endpoint?: string;
  /** Static credentials or a provider. Default: the SDK's chain (env, profile, … instance role). */
  credentials?: EC2ClientConfig['credentials'];
  /** Total attempts per call, including the first (§1.4). */
  maxAttempts?: number;
  retryMode?: 'standard' | 'adaptive';
  /** Bound on the TCP/TLS connect. */
  connectionTimeoutMs?: number;
  /** Bound on socket inactivity; the SDK default is 15 minutes (§1.4). */
  socketTimeoutMs?: number;
  /** Bound on a whole attempt; enforced (`throwOnRequestTimeout`), not just logged (§1.4). */
  requestTimeoutMs?: number;
}

export const AWS_CLIENT_DEFAULTS = {
  maxAttempts: 3,
  retryMode: 'standard',
  connectionTimeoutMs: 2_000,
  socketTimeoutMs: 5_000,
  requestTimeoutMs: 8_000,
} as const;

type SharedConfig = Pick<
  EC2ClientConfig & AutoScalingClientConfig,
  'region' | 'endpoint' | 'credentials' | 'maxAttempts' | 'retryMode' | 'requestHandler'
>;

function clientConfig(options: AwsClientOptions): SharedConfig {
  if (options == null || typeof options !== 'object') invalidOption('region', 'must be given');
  const region = nonEmptyString('region', options.region);
  const retryMode = options.retryMode ?? AWS_CLIENT_DEFAULTS.retryMode;
  if (retryMode !== 'standard' && retryMode !== 'adaptive') {
    invalidOption('retryMode', 'must be "standard" or "adaptive"', retryMode);
  }
  const maxAttempts = integerInRange(
    'maxAttempts',
    options.maxAttempts ?? AWS_CLIENT_DEFAULTS.maxAttempts,
    1,
    10,
  );
  const connectionTimeout = integerInRange(
    'connectionTimeoutMs',
    options.connectionTimeoutMs ?? AWS_CLIENT_DEFAULTS.connectionTimeoutMs,
    1,
    600_000,
  );
  const socketTimeout = integerInRange(
    'socketTimeoutMs',
    options.socketTimeoutMs ?? AWS_CLIENT_DEFAULTS.socketTimeoutMs,
    1,
    600_000,
  );
  const requestTimeout = integerInRange(
    'requestTimeoutMs',
    options.requestTimeoutMs ?? AWS_CLIENT_DEFAULTS.requestTimeoutMs,
    1,
    600_000,
  );
  return {
    region,
    maxAttempts,
    retryMode,
    // §1.4: without these a hung endpoint holds a call for the 15-minute socket default, and
    // `requestTimeout` alone only logs a warning.
    requestHandler: { connectionTimeout, socketTimeout, requestTimeout, throwOnRequestTimeout: true },
    ...(options.endpoint !== undefined ? { endpoint: httpEndpoint('endpoint', options.endpoint).href } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
  };
}

/** An EC2 client with bounded timeouts, an explicit retry policy and region. */
export function createEc2Client(options: AwsClientOptions): EC2Client {
  return new EC2Client(clientConfig(options));
}

/** The Auto Scaling counterpart of `createEc2Client` (same options and defaults). */
export function createAutoScalingClient(options: AwsClientOptions): AutoScalingClient {
  return new AutoScalingClient(clientConfig(options));
}
