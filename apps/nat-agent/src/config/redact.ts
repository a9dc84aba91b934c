import { SECRET_PATHS } from './overrides';

export const REDACTED = '<redacted>';

/**
 * A deep copy of `value` with every secret replaced by `<redacted>`: the paths the override table
 * marks secret, and any key whose name says it holds a credential.
 */
export function redactConfig<T>(value: T): T {
  const copy = structuredClone(value) as unknown;
  for (const path of SECRET_PATHS) {
    const parts = path.split('.');
    let node: unknown = copy;
    for (const part of parts.slice(0, -1)) {
      node = node != null && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
    }
    const last = parts[parts.length - 1] as string;
    if (node != null && typeof node === 'object' && (node as Record<string, unknown>)[last] !== undefined) {
      (node as Record<string, unknown>)[last] = REDACTED;
    }
  }
  return scrub(copy) as T;
}

const SECRET_KEY = /(token|secret|password|credential)s?$/i;

function scrub(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(scrub);
  if (node == null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    out[k] = SECRET_KEY.test(k) && typeof v === 'string' ? REDACTED : scrub(v);
  }
  return out;
}
