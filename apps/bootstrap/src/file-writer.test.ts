import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RenderBundle } from './bundle';
import { BootstrapError } from './errors';
import { applyPlan, formatPlan, formatSummary, hasChanges, planWrites } from './file-writer';

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(join(tmpdir(), 'nat-bootstrap-writer-'));
});
afterEach(async () => {
  await fs.chmod(root, 0o755).catch(() => undefined);
  await fs.rm(root, { recursive: true, force: true });
});

const bundle = (files: Record<string, string>, obsolete: string[] = []): RenderBundle => ({
  files: Object.entries(files).map(([path, content]) => ({
    path,
    content,
    mode: path.startsWith('secrets/') ? 0o600 : 0o644,
    secret: path.startsWith('secrets/'),
  })),
  obsolete,
  warnings: [],
});

async function write(b: RenderBundle) {
  const plan = await planWrites(root, b);
  if (hasChanges(plan)) await applyPlan(plan);
  return plan;
}
const mode = async (path: string) => (await fs.stat(join(root, path))).mode & 0o777;
const listAll = async (): Promise<string[]> =>
  (await fs.readdir(root, { recursive: true })).map(String).sort();

describe('planWrites / applyPlan', () => {
  it('creates files and directories with their modes; a secrets directory is 0700', async () => {
    const plan = await write(
      bundle({ 'consul.d/consul.hcl': 'a\n', 'secrets/consul-secrets.hcl': 's\n', 'agent.yaml': 'y\n' }),
    );
    expect(plan.changes.map((c) => [c.path, c.kind])).toEqual([
      ['consul.d/consul.hcl', 'create'],
      ['secrets/consul-secrets.hcl', 'create'],
      ['agent.yaml', 'create'],
    ]);
    expect(await fs.readFile(join(root, 'consul.d/consul.hcl'), 'utf8')).toBe('a\n');
    expect(await mode('consul.d/consul.hcl')).toBe(0o644);
    expect(await mode('secrets/consul-secrets.hcl')).toBe(0o600);
    expect(await mode('secrets')).toBe(0o700);
    expect(await listAll()).toEqual([
      'agent.yaml',
      'consul.d',
      'consul.d/consul.hcl',
      'secrets',
      'secrets/consul-secrets.hcl',
    ]);
  });

  it('is idempotent: a second identical render changes nothing and does not touch mtimes', async () => {
    const b = bundle({ 'consul.d/consul.hcl': 'a\n', 'agent.yaml': 'y\n' });
    await write(b);
    const past = new Date('2020-01-01T00:00:00Z');
    await fs.utimes(join(root, 'agent.yaml'), past, past);
    const plan = await write(b);
    expect(hasChanges(plan)).toBe(false);
    expect(plan.changes.every((c) => c.kind === 'unchanged')).toBe(true);
    expect((await fs.stat(join(root, 'agent.yaml'))).mtime.toISOString()).toBe(past.toISOString());
  });

  it('rewrites only the changed file, repairs a wrong mode without rewriting, deletes obsolete owned files', async () => {
    await write(bundle({ 'a.txt': '1\n', 'b.txt': '2\n', 'consul.d/consul.json': '{}\n' }));
    await fs.chmod(join(root, 'b.txt'), 0o666);
    const past = new Date('2020-01-01T00:00:00Z');
    await fs.utimes(join(root, 'b.txt'), past, past);
    const plan = await write(
      bundle({ 'a.txt': 'one\n', 'b.txt': '2\n' }, ['consul.d/consul.json', 'consul.d/absent.json']),
    );
    expect(plan.changes.map((c) => [c.path, c.kind])).toEqual([
      ['a.txt', 'update'],
      ['b.txt', 'chmod'],
      ['consul.d/consul.json', 'delete'],
    ]);
    expect(await fs.readFile(join(root, 'a.txt'), 'utf8')).toBe('one\n');
    expect(await mode('b.txt')).toBe(0o644);
    expect((await fs.stat(join(root, 'b.txt'))).mtime.toISOString()).toBe(past.toISOString());
    expect(await listAll()).toEqual(['a.txt', 'b.txt', 'consul.d']);
  });

  it('leaves no temporary file behind and changes nothing when a write fails part-way', async () => {
    await write(bundle({ 'a.txt': 'old\n' }));
    await fs.mkdir(join(root, 'locked'), { mode: 0o500 });
    const failing = bundle({ 'a.txt': 'new\n', 'locked/b.txt': 'x\n' });
    const plan = await planWrites(root, failing);
    if (process.getuid?.() === 0) {
      // root ignores directory permissions: make the second target's directory a file instead.
      await fs.rm(join(root, 'locked'), { recursive: true });
      await fs.writeFile(join(root, 'locked'), 'not a directory');
    }
    const error = await applyPlan(plan).catch((e: unknown) => e);
    expect(BootstrapError.isInstance(error) && error.code).toBe('WRITE_FAILED');
    expect((error as Error).message).toMatch(/nothing was changed/);
    expect(await fs.readFile(join(root, 'a.txt'), 'utf8')).toBe('old\n');
    const names = (await fs.readdir(root, { recursive: true })).map(String);
    expect(names.filter((n) => n.includes('.tmp'))).toEqual([]);
  });

  it('refuses to replace something that is not a regular file', async () => {
    await fs.mkdir(join(root, 'agent.yaml'));
    await expect(planWrites(root, bundle({ 'agent.yaml': 'y\n' }))).rejects.toThrow(/is not a regular file/);
  });
});

describe('formatPlan (dry run)', () => {
  it('prints a unified diff per changed file, nothing for unchanged ones', async () => {
    await write(bundle({ 'a.txt': 'one\ntwo\nthree\n', 'same.txt': 's\n' }));
    const plan = await planWrites(
      root,
      bundle({ 'a.txt': 'one\n2\nthree\n', 'same.txt': 's\n', 'new.txt': 'n\n' }),
    );
    expect(formatPlan(plan)).toBe(
      [
        '--- a/a.txt',
        '+++ b/a.txt',
        '@@ -1,3 +1,3 @@',
        ' one',
        '-two',
        '+2',
        ' three',
        '--- /dev/null',
        '+++ b/new.txt',
        '@@ -0,0 +1,1 @@',
        '+n',
        '',
      ].join('\n'),
    );
  });

  it("never shows a secret file's content, only that it would change", async () => {
    await write(bundle({ 'secrets/consul-secrets.hcl': 'encrypt = "OLD-SECRET"\n' }));
    const plan = await planWrites(root, bundle({ 'secrets/consul-secrets.hcl': 'encrypt = "NEW-SECRET"\n' }));
    const text = formatPlan(plan);
    expect(text).toBe('secrets/consul-secrets.hcl: would change (secret: content not shown)\n');
    expect(text).not.toMatch(/SECRET"/);
  });

  it('reports a mode change and a deletion', async () => {
    await write(bundle({ 'a.txt': 'x\n', 'consul.d/consul.hcl': 'h\n' }));
    await fs.chmod(join(root, 'a.txt'), 0o600);
    const plan = await planWrites(root, bundle({ 'a.txt': 'x\n' }, ['consul.d/consul.hcl']));
    expect(formatPlan(plan)).toBe(
      [
        'a.txt: mode 0600 -> 0644',
        '--- a/consul.d/consul.hcl',
        '+++ /dev/null',
        '@@ -1,1 +0,0 @@',
        '-h',
        '',
      ].join('\n'),
    );
    expect(formatSummary(plan)).toBe('chmod     a.txt\ndeleted   consul.d/consul.hcl\n');
  });
});
