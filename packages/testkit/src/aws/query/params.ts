/**
 * Decoded Query-protocol parameters (rules 1–3): form-decoded (`%XX`, `+` as space),
 * case-sensitive names, 1-based flattened lists read from index 1 until the first gap.
 */
import { ApiError, invalidParameterValue, missingParameter } from './api-error';

export interface Filter {
  name: string;
  values: string[];
}

/** Query keys the transport adds and no action declares (presigned SigV4). */
const TRANSPORT_KEYS = /^(Action|Version|X-Amz-[A-Za-z-]+)$/;

export class QueryParams {
  private readonly map: Map<string, string>;

  constructor(entries: Iterable<[string, string]>) {
    this.map = new Map();
    // The first occurrence wins: a repeated key is a client bug, and AWS keeps the first.
    for (const [k, v] of entries) if (!this.map.has(k)) this.map.set(k, v);
  }

  /** Decodes an `application/x-www-form-urlencoded` body merged over a URL query string. */
  static fromRequest(body: string, query: URLSearchParams): QueryParams {
    const form = new URLSearchParams(body);
    return new QueryParams([...query.entries(), ...form.entries()]);
  }

  has(name: string): boolean {
    return this.map.has(name);
  }

  get(name: string): string | undefined {
    return this.map.get(name);
  }

  /** Every parameter except Action/Version and transport keys, for the journal. */
  toRecord(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.map) if (!TRANSPORT_KEYS.test(k)) out[k] = v;
    return out;
  }

  names(): string[] {
    return [...this.map.keys()].filter((k) => !TRANSPORT_KEYS.test(k));
  }

  required(name: string): string {
    const v = this.map.get(name);
    if (v == null || v === '') throw missingParameter(name);
    return v;
  }

  /** `true`/`false` (case-insensitive, as AWS accepts); undefined when absent. */
  boolean(name: string): boolean | undefined {
    const v = this.map.get(name);
    if (v == null) return undefined;
    const lower = v.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw invalidParameterValue(`Value (${v}) for parameter ${name} is invalid. Expected a boolean.`);
  }

  integer(name: string): number | undefined {
    const v = this.map.get(name);
    if (v == null) return undefined;
    if (!/^-?\d+$/.test(v)) {
      throw invalidParameterValue(`Value (${v}) for parameter ${name} is invalid. Expected an integer.`);
    }
    return Number(v);
  }

  /** Rule 3: `Prefix.1`, `Prefix.2`, … until the first missing index. Empty when absent. */
  list(prefix: string): string[] {
    const out: string[] = [];
    for (let i = 1; this.map.has(`${prefix}.${i}`); i++) out.push(this.map.get(`${prefix}.${i}`) as string);
    return out;
  }

  /** awsQuery list: `Prefix.member.1`, `Prefix.member.2`, … */
  memberList(prefix: string): string[] {
    return this.list(`${prefix}.member`);
  }

  /** EC2 filters: `Filter.N.Name` + `Filter.N.Value.M` (rule 3, rule 13). */
  ec2Filters(prefix = 'Filter'): Filter[] {
    const out: Filter[] = [];
    for (let i = 1; this.map.has(`${prefix}.${i}.Name`) || this.hasAny(`${prefix}.${i}.`); i++) {
      const name = this.map.get(`${prefix}.${i}.Name`);
      // "The filter 'null' is invalid." is what EC2 answers a filter without a name.
      if (name == null || name === '') throw invalidParameterValue(`The filter 'null' is invalid.`);
      out.push({ name, values: this.list(`${prefix}.${i}.Value`) });
    }
    return out;
  }

  /** Auto Scaling filters: `Filters.member.N.Name` + `Filters.member.N.Values.member.M`. */
  memberFilters(prefix = 'Filters'): Filter[] {
    const out: Filter[] = [];
    for (let i = 1; this.hasAny(`${prefix}.member.${i}.`); i++) {
      const name = this.map.get(`${prefix}.member.${i}.Name`);
      if (name == null || name === '') throw new ApiError('ValidationError', `Filter name must not be empty`);
      out.push({ name, values: this.memberList(`${prefix}.member.${i}.Values`) });
    }
    return out;
  }

  private hasAny(prefix: string): boolean {
    for (const k of this.map.keys()) if (k.startsWith(prefix)) return true;
    return false;
  }
}
