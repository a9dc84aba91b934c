import { BootstrapError } from './errors';

/**
 * The format-neutral tree every Consul file is built as, then printed by `renderHcl` or
 * `renderJson`. Keeping one tree is what lets the tests parse the HCL back and compare it with the
 * JSON: both printers see exactly the same values.
 *
 * `undefined` members are skipped by both printers, so builders can write `{ key: maybe }`.
 */
export type ConfigScalar = string | number | boolean;
export type ConfigValue = ConfigScalar | readonly ConfigValue[] | ConfigObject;
export interface ConfigObject {
  readonly [key: string]: ConfigValue | undefined;
}

export function isConfigObject(value: ConfigValue | undefined): value is ConfigObject {
  return value != null && typeof value === 'object' && !Array.isArray(value);
}

/** Defined members of an object, in insertion order. */
export function entriesOf(object: ConfigObject): [string, ConfigValue][] {
  return Object.entries(object).filter((entry): entry is [string, ConfigValue] => entry[1] !== undefined);
}

// A UTF-16 surrogate without its partner cannot be encoded as UTF-8: Go would read U+FFFD, so the
// file would silently say something else than we meant.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Checks that a tree can be printed faithfully by both printers: strings are well-formed Unicode,
 * numbers are safe integers (every Consul number we write is an integer, and `1e21` style output is
 * not valid in every parser), keys are non-empty. Throws INVALID_CONFIG naming the dotted path.
 */
export function assertPrintable(value: ConfigValue, path: string): void {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) {
      throw new BootstrapError('INVALID_CONFIG', `${path} contains an unpaired UTF-16 surrogate`);
    }
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new BootstrapError('INVALID_CONFIG', `${path} must be an integer (got ${String(value)})`);
    }
    return;
  }
  if (typeof value === 'boolean') return;
  if (Array.isArray(value)) {
    (value as readonly ConfigValue[]).forEach((item, index) => assertPrintable(item, `${path}[${index}]`));
    return;
  }
  if (isConfigObject(value)) {
    for (const [key, member] of entriesOf(value)) {
      const memberPath = path === '' ? key : `${path}.${key}`;
      if (key === '' || LONE_SURROGATE.test(key)) {
        throw new BootstrapError('INVALID_CONFIG', `${memberPath || '(root)'} has an empty or malformed key`);
      }
      assertPrintable(member, memberPath);
    }
    return;
  }
  throw new BootstrapError('INVALID_CONFIG', `${path} has an unsupported value type`);
}
