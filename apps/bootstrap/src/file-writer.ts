import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { RenderBundle, RenderedFile } from './bundle';
import { BootstrapError } from './errors';

/**
 * Idempotent, atomic output. `planWrites` compares what is on disk with the rendered bundle (bytes
 * and permission bits); `applyPlan` then writes only what differs:
 *
 * 1. every new content goes to a temporary file in the target's own directory (same filesystem, so
 *    the rename is atomic), written, chmod-ed and fsync-ed;
 * 2. only when all temporaries exist are they renamed over their targets, and the directories
 *    fsync-ed so the renames survive a crash;
 * 3. if any step of 1 fails, the temporaries are removed and nothing on disk has changed.
 *
 * A file whose bytes and mode already match is never rewritten (its mtime does not move), which is
 * what makes the exit code a reliable "something changed" signal.
 */
export type ChangeKind = 'create' | 'update' | 'chmod' | 'delete' | 'unchanged';

export interface FileChange {
  path: string;
  kind: ChangeKind;
  /** Current content ('' when absent). */
  before: string;
  /** Rendered content ('' for deletions). */
  after: string;
  modeBefore?: number;
  modeAfter?: number;
  secret: boolean;
}

export interface WritePlan {
  root: string;
  changes: FileChange[];
}

/** Directories created with these modes; anything else 0755. */
const DIRECTORY_MODES: Record<string, number> = { secrets: 0o700 };

export async function planWrites(root: string, bundle: RenderBundle): Promise<WritePlan> {
  const changes: FileChange[] = [];
  for (const file of bundle.files) changes.push(await planFile(root, file));
  for (const path of bundle.obsolete) {
    const existing = await readExisting(join(root, path));
    if (existing != null) {
      changes.push({
        path,
        kind: 'delete',
        before: existing.content,
        after: '',
        modeBefore: existing.mode,
        secret: path.startsWith('secrets/'),
      });
    }
  }
  return { root, changes };
}

async function planFile(root: string, file: RenderedFile): Promise<FileChange> {
  const existing = await readExisting(join(root, file.path));
  const base = { path: file.path, after: file.content, modeAfter: file.mode, secret: file.secret };
  if (existing == null) return { ...base, kind: 'create', before: '' };
  const kind: ChangeKind =
    existing.content !== file.content ? 'update' : existing.mode !== file.mode ? 'chmod' : 'unchanged';
  return { ...base, kind, before: existing.content, modeBefore: existing.mode };
}

async function readExisting(path: string): Promise<{ content: string; mode: number } | undefined> {
  try {
    const stat = await fs.lstat(path);
    if (!stat.isFile()) {
      throw new BootstrapError('WRITE_FAILED', `${path} exists and is not a regular file; remove it first`);
    }
    return { content: await fs.readFile(path, 'utf8'), mode: stat.mode & 0o777 };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw BootstrapError.from(error, 'WRITE_FAILED', `cannot read ${path}`);
  }
}

export function hasChanges(plan: WritePlan): boolean {
  return plan.changes.some((change) => change.kind !== 'unchanged');
}

export async function applyPlan(plan: WritePlan): Promise<void> {
  const pending = plan.changes.filter((c) => c.kind === 'create' || c.kind === 'update');
  const temporaries: { temp: string; target: string }[] = [];
  try {
    for (const change of pending) {
      const target = join(plan.root, change.path);
      await ensureDirectory(plan.root, dirname(change.path));
      const temp = join(
        dirname(target),
        `.${basename(change.path)}.nat-bootstrap-${randomBytes(6).toString('hex')}.tmp`,
      );
      temporaries.push({ temp, target });
      await writeDurably(temp, change.after, change.modeAfter ?? 0o644);
    }
  } catch (error) {
    await Promise.all(temporaries.map(({ temp }) => fs.rm(temp, { force: true })));
    throw BootstrapError.from(
      error,
      'WRITE_FAILED',
      'writing the rendered files failed; nothing was changed',
    );
  }
  const touched = new Set<string>();
  try {
    for (const { temp, target } of temporaries) {
      await fs.rename(temp, target);
      touched.add(dirname(target));
    }
    for (const change of plan.changes) {
      const target = join(plan.root, change.path);
      if (change.kind === 'chmod') await fs.chmod(target, change.modeAfter ?? 0o644);
      if (change.kind === 'delete') {
        await fs.rm(target, { force: true });
        touched.add(dirname(target));
      }
    }
    for (const directory of touched) await fsyncDirectory(directory);
  } catch (error) {
    await Promise.all(temporaries.map(({ temp }) => fs.rm(temp, { force: true })));
    throw BootstrapError.from(error, 'WRITE_FAILED', 'moving the rendered files into place failed');
  }
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

async function ensureDirectory(root: string, relative: string): Promise<void> {
  await fs.mkdir(root, { recursive: true, mode: 0o755 });
  if (relative === '.' || relative === '') return;
  const directory = join(root, relative);
  const mode = DIRECTORY_MODES[relative] ?? 0o755;
  await fs.mkdir(directory, { recursive: true, mode });
  // mkdir's mode is filtered by the umask and ignored for existing directories: enforce it, so a
  // secrets directory is 0700 whatever state it was found in.
  const stat = await fs.stat(directory);
  if ((stat.mode & 0o777) !== mode) await fs.chmod(directory, mode);
}

async function writeDurably(path: string, content: string, mode: number): Promise<void> {
  // O_EXCL: never follow or reuse something already at the temporary name.
  const handle = await fs.open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function fsyncDirectory(path: string): Promise<void> {
  const handle = await fs.open(path, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The dry-run report: a unified diff per changed file (`a/` is what is on disk, `b/` what would be
 * written). Secret files show only that they would change, never their content.
 */
export function formatPlan(plan: WritePlan): string {
  const parts: string[] = [];
  for (const change of plan.changes) {
    if (change.kind === 'unchanged') continue;
    const mode =
      change.modeBefore != null && change.modeAfter != null && change.modeBefore !== change.modeAfter
        ? `mode ${octal(change.modeBefore)} -> ${octal(change.modeAfter)}`
        : undefined;
    if (change.kind === 'chmod') {
      parts.push(`${change.path}: ${mode ?? 'mode changes'}\n`);
      continue;
    }
    if (change.secret) {
      const verb =
        change.kind === 'create'
          ? 'would be created'
          : change.kind === 'delete'
            ? 'would be deleted'
            : 'would change';
      parts.push(`${change.path}: ${verb} (secret: content not shown)${mode == null ? '' : `, ${mode}`}\n`);
      continue;
    }
    const oldName = change.kind === 'create' ? '/dev/null' : `a/${change.path}`;
    const newName = change.kind === 'delete' ? '/dev/null' : `b/${change.path}`;
    const patch = createTwoFilesPatch(oldName, newName, change.before, change.after, undefined, undefined, {
      context: 3,
    });
    // Drop jsdiff's "Index:"/"=====" preamble: plain `diff -u` output is what people expect.
    const body = patch
      .split('\n')
      .filter((line, index) => index > 1 || !/^(Index:|=+$)/.test(line))
      .join('\n');
    parts.push(mode == null ? body : `${change.path}: ${mode}\n${body}`);
  }
  return parts.join('');
}

/** One line per file for the log of a real run: `created consul.d/consul.hcl`. */
export function formatSummary(plan: WritePlan): string {
  const verbs: Record<ChangeKind, string> = {
    create: 'created',
    update: 'updated',
    chmod: 'chmod',
    delete: 'deleted',
    unchanged: 'unchanged',
  };
  return plan.changes.map((change) => `${verbs[change.kind].padEnd(9)} ${change.path}\n`).join('');
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
