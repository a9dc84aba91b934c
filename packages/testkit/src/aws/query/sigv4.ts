/**
 * Reads the SigV4 credential scope of a request (header `Authorization: AWS4-HMAC-SHA256
 * Credential=AKID/yyyymmdd/region/service/aws4_request, …` or the presigned query parameter
 * `X-Amz-Credential`). Signatures are not verified: the emulator only needs who signed (to
 * attribute the call to an instance) and the scope (region/service sanity).
 */

export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

const SCOPE = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/;

export function parseCredentialScope(
  authorization: string | undefined,
  query?: URLSearchParams,
): CredentialScope | undefined {
  let credential: string | undefined;
  if (authorization != null && authorization.startsWith('AWS4-HMAC-SHA256')) {
    const match = /Credential=([^,\s]+)/.exec(authorization);
    credential = match?.[1];
  } else if (query != null) {
    credential = query.get('X-Amz-Credential') ?? undefined;
  }
  if (credential == null) return undefined;
  const scope = SCOPE.exec(credential);
  if (scope == null) return undefined;
  const [, accessKeyId, date, region, service] = scope as unknown as [string, string, string, string, string];
  return { accessKeyId, date, region, service };
}
