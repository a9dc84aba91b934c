/**
 * A minimal YAML emitter for the agent.yaml files the lab writes: mappings, sequences, strings,
 * numbers and booleans. Strings are always double-quoted JSON strings, which YAML 1.2 reads
 * unchanged, so no value can be misread (`on`, `1e3`, `:`), and the files stay readable.
 */
export type YamlValue =
  string | number | boolean | null | readonly YamlValue[] | { [key: string]: YamlValue | undefined };

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function scalar(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`cannot write ${value} as YAML`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return JSON.stringify(value);
}

function key(k: string): string {
  return PLAIN_KEY.test(k) ? k : JSON.stringify(k);
}

function isMapping(v: YamlValue): v is { [key: string]: YamlValue | undefined } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function emit(value: YamlValue, indent: string, out: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value as readonly YamlValue[]) {
      if (isMapping(item) && Object.keys(item).some((k) => item[k] !== undefined)) {
        const inner: string[] = [];
        emit(item, `${indent}  `, inner);
        // The first line of the mapping goes after the dash.
        out.push(`${indent}- ${(inner[0] as string).slice(indent.length + 2)}`, ...inner.slice(1));
      } else if (Array.isArray(item) && item.length > 0) {
        out.push(`${indent}-`);
        emit(item, `${indent}  `, out);
      } else {
        out.push(`${indent}- ${inline(item)}`);
      }
    }
    return;
  }
  if (isMapping(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      if (
        (isMapping(v) && Object.values(v).some((x) => x !== undefined)) ||
        (Array.isArray(v) && v.length > 0)
      ) {
        out.push(`${indent}${key(k)}:`);
        emit(v, `${indent}  `, out);
      } else {
        out.push(`${indent}${key(k)}: ${inline(v)}`);
      }
    }
    return;
  }
  out.push(`${indent}${scalar(value as string | number | boolean | null)}`);
}

function inline(value: YamlValue): string {
  if (Array.isArray(value)) return '[]';
  if (isMapping(value)) return '{}';
  return scalar(value as string | number | boolean | null);
}

/** YAML text for a mapping (the document root), ending with a newline. */
export function toYaml(document: { [key: string]: YamlValue | undefined }, header?: string): string {
  const out: string[] = [];
  if (header != null) for (const line of header.split('\n')) out.push(`# ${line}`.trimEnd());
  emit(document, '', out);
  return `${out.join('\n')}\n`;
}
