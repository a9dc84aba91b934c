/**
 * Runs once in vitest's main process, before workers are forked (they inherit this environment).
 * Tests talk only to loopback or to network namespaces they create: never to the real instance
 * metadata service, never to AWS with real credentials.
 */
const REAL_AWS_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_EC2_METADATA_SERVICE_ENDPOINT',
];

export function setup(): void {
  // Contract suites may target real AWS only when the user opts in with an explicit endpoint.
  const optedIntoRealAws =
    process.env.AWS_ENDPOINT_URL_EC2 != null && process.env.AWS_ENDPOINT_URL_EC2 !== '';
  if (!optedIntoRealAws) {
    for (const name of REAL_AWS_VARIABLES) delete process.env[name];
  }
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  // Shared config/credential files could name real profiles; point them at nothing.
  process.env.AWS_CONFIG_FILE = '/dev/null';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null';
}
