import { assertPrintable, type ConfigObject } from './config-value';

/**
 * Prints a config tree as JSON for Consul (`json.Unmarshal` in consul:agent/config/config.go).
 * JSON.stringify already escapes quotes, backslashes and control characters; `${` means nothing to
 * Consul's JSON reader, so no template escaping applies here. U+2028/U+2029 are escaped as well so
 * the file stays valid if someone pastes it into JavaScript.
 */
export function renderJson(document: ConfigObject): string {
  assertPrintable(document, '');
  const text = JSON.stringify(document, null, 2).replace(/[\u2028\u2029]/g, (ch) =>
    ch === '\u2028' ? '\\u2028' : '\\u2029',
  );
  return `${text}\n`;
}
