/**
 * `pnpm bench`: claim time versus the number of route tables, against the testkit EC2 emulator with
 * EC2's published throttling limits (rule 11) and the realistic latency profile (describe 80 ms,
 * mutate 150 ms). Loopback only. Prints a table and writes JSON for the lab bench
 * (default `reports/bench/claim.json`; `--out FILE` to change, `--runs N` per size, `--sizes 1,10,100`).
 *
 * Each run: a fresh emulator; the agent's start-up calls (IAM self-test on one table, a drift
 * check) with throttling off, which also warm the SDK; then throttling on with full buckets and one
 * timed claim of every table to a new leader ENI. "ideal" is the least time the bucket arithmetic
 * and the latency profile allow: describe + max(0, N − 50) × 200 ms + mutate + describe.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { defaultWorld, REALISTIC_LATENCY, startAws } from '@nat-ha/testkit';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createRouteSwitcher } from '../src/index';

interface Run {
  claimMs: number;
  journalMs: number;
  writes: number;
  describeCalls: number;
  throttled: number;
  ok: boolean;
  failedTables: number;
}

// `pnpm bench -- --runs 1` passes the `--` through.
const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv[0] === '--' ? argv.slice(1) : argv,
  options: {
    runs: { type: 'string', default: '3' },
    sizes: { type: 'string', default: '1,10,100' },
    out: { type: 'string', default: 'reports/bench/claim.json' },
  },
});
const runs = Number(values.runs);
const sizes = values.sizes.split(',').map(Number);
if (!Number.isInteger(runs) || runs < 1 || sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 200)) {
  console.error('usage: claim.bench.ts [--runs N>=1] [--sizes 1,10,100 (1–200)] [--out FILE]');
  process.exit(2);
}

const BURST = 50;
const PER_SECOND = 5;
const L = REALISTIC_LATENCY;
const idealMs = (n: number): number =>
  L.describeMs + (Math.max(0, n - BURST) * 1000) / PER_SECOND + L.mutateMs + L.describeMs;

async function once(n: number, clientBucket: boolean): Promise<Run> {
  const aws = await startAws({
    world: defaultWorld({ availabilityZones: 1, natInstances: 2, privateRouteTables: n }),
    latency: 'realistic',
    throttling: false,
  });
  const leader = aws.instanceIds[1] as string;
  const ec2 = new EC2Client({
    region: aws.region,
    endpoint: aws.endpoint,
    credentials: aws.credentials(leader),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 2000, requestTimeout: 5000, throwOnRequestTimeout: true },
  });
  try {
    let throttled = 0;
    const s = createRouteSwitcher({
      ec2,
      metrics: { onThrottle: () => throttled++ },
      ...(clientBucket ? {} : { rateLimits: false as const }),
    });
    const tables = aws.control
      .routeTables()
      .filter((t) => t.tags['nat-ha:managed'] === 'true')
      .map((t) => t.routeTableId);
    const target = {
      networkInterfaceId: aws.control.instance(leader).networkInterfaces[0]!.networkInterfaceId,
    };
    await s.selfTest({ tables, target, tablesToTest: 'first' });
    await s.checkDrift({ tables, target });
    aws.control.setThrottling(true);
    const since = aws.calls().at(-1)?.seq ?? 0;
    throttled = 0;
    const result = await s.claim({ tables, target });
    const calls = aws.calls(since);
    const first = Math.min(...calls.map((c) => c.receivedAt));
    const last = Math.max(...calls.map((c) => c.time ?? first));
    return {
      claimMs: result.durationMs,
      journalMs: last - first,
      writes: result.calls.length,
      describeCalls: result.describeCalls,
      throttled,
      ok: result.ok,
      failedTables: result.tables.filter((t) => !t.ok).length,
    };
  } finally {
    ec2.destroy();
    await aws.close();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const results = [];
// Sizes above the burst are also run without the client-side bucket (rateLimits: false; retries with
// full jitter only), which is how a tool that ignores EC2's buckets fares.
const cases = sizes.flatMap((n) =>
  n > BURST
    ? [
        { n, clientBucket: true },
        { n, clientBucket: false },
      ]
    : [{ n, clientBucket: true }],
);
for (const { n, clientBucket } of cases) {
  const rs: Run[] = [];
  for (let i = 0; i < runs; i++) rs.push(await once(n, clientBucket));
  const claim = rs.map((r) => r.claimMs);
  results.push({
    tables: n,
    clientBucket,
    runs: rs,
    medianMs: median(claim),
    minMs: Math.min(...claim),
    maxMs: Math.max(...claim),
    idealMs: idealMs(n),
    medianRatio: Number((median(claim) / idealMs(n)).toFixed(3)),
    writes: median(rs.map((r) => r.writes)),
    describeCalls: median(rs.map((r) => r.describeCalls)),
    throttled: median(rs.map((r) => r.throttled)),
    allOk: rs.every((r) => r.ok),
    failedTables: median(rs.map((r) => r.failedTables)),
  });
}

const header = [
  'tables',
  'client bucket',
  'runs',
  'claim p50 ms',
  'min',
  'max',
  'ideal ms',
  'p50/ideal',
  'writes',
  'describes',
  'throttled p50',
  'failed tables p50',
];
const rows = results.map((r) => [
  String(r.tables),
  r.clientBucket ? 'on' : 'off',
  String(runs),
  String(Math.round(r.medianMs)),
  String(r.minMs),
  String(r.maxMs),
  String(r.idealMs),
  r.medianRatio.toFixed(2),
  String(r.writes),
  String(r.describeCalls),
  String(r.throttled),
  String(r.failedTables),
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i] as number)).join('  ');
console.log(
  'route-switcher claim vs tables — EC2 limits on (ReplaceRoute 50 burst, 5/s), latency describe 80 ms / mutate 150 ms',
);
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const row of rows) console.log(line(row));

const out = resolve(values.out);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      bench: '@nat-ha/route-switcher claim',
      generatedAt: new Date().toISOString(),
      node: process.version,
      machine: { cpus: cpus().length, loadavg: loadavg().map((x) => Number(x.toFixed(2))) },
      emulator: {
        latency: { describeMs: L.describeMs, mutateMs: L.mutateMs },
        throttling: 'EC2 published limits',
      },
      idealFormula: 'describe + max(0, N - 50) * 200 ms + mutate + describe',
      results,
    },
    null,
    2,
  )}\n`,
);
console.log(`\nJSON: ${out}`);
