/**
 * The commands' logic (annotate, remove, commit) over small interfaces: the server's commands, the
 * prompts and the messages. Pure: the extension passes VS Code-backed implementations, tests pass fakes.
 */
import {
  absolutePath,
  allEntries,
  annotationFiles,
  artifactsIn,
  formatOf,
  fullName,
  indexRelative,
  type AnnotatedEntry,
} from './annotationFiles';
import { fixedFollowUp, runAnnotateFlow, describeArtifact, type FollowUp } from './annotateFlow';
import { fullMessage } from './contract';
import type {
  AnnotatePrefill,
  AnnotationFile,
  MigrateParams,
  MigrateResult,
  RemovePrefill,
  RepositoryContext,
  ServerApi,
} from './contract';
import { annotateCommitMessage, removeCommitMessage } from './names';
import { runSteps, stepNumber, type FlowStep, type Prompter } from './prompter';
import type { ClientSettings } from './settings';

export interface Ui {
  info(message: string): void;
  error(message: string): void;
  /** Saves the document (an absolute path or a URI string) when it is open with changes; false on failure. */
  save(pathOrUri: string): Promise<boolean>;
  /** Is the document open in the editor with unsaved changes? */
  isDirty(pathOrUri: string): boolean;
  /** A modal question with one action button (and Cancel): true when the button was chosen. */
  confirm(message: string, button: string): Promise<boolean>;
}

export interface PendingChange {
  /** The name the commit message gives: DVC's full name (`sub/dir:name`) for a nested dvc.yaml. */
  name: string;
  action: 'annotate' | 'remove';
  type?: string;
  path?: string;
  /** The changed file, repository-relative. */
  file: string;
}

/** The last uncommitted annotate/remove per repository root, so "Commit Annotations" can reuse its message. */
export class PendingChanges {
  private readonly byRoot = new Map<string, PendingChange>();
  set(root: string, change: PendingChange): void {
    this.byRoot.set(root, change);
  }
  get(root: string): PendingChange | undefined {
    return this.byRoot.get(root);
  }
  clear(root: string): void {
    this.byRoot.delete(root);
  }
}

export interface ActionDeps {
  server: ServerApi;
  ui: Ui;
  prompter: Prompter;
  settings: ClientSettings;
  trusted: boolean;
  pending: PendingChanges;
  log?: (message: string) => void;
}

export type ActionStatus = 'cancelled' | 'failed' | 'unchanged' | 'changed' | 'committed' | 'commitFailed' | 'commitRefused';

export interface ActionResult {
  status: ActionStatus;
  message: string;
  sha?: string;
}

/** Why commit cannot run here, or undefined when it can. */
export function commitBlocked(deps: Pick<ActionDeps, 'trusted' | 'settings'>): string | undefined {
  if (!deps.trusted) {
    return 'the workspace is not trusted: GTO Artifacts runs no git commands in Restricted Mode';
  }
  if (!deps.settings.gitEnabled) {
    return 'git is turned off by the setting gto.git.enabled';
  }
  return undefined;
}

export function shortSha(sha: string | undefined): string {
  return sha ? sha.slice(0, 7) : '';
}

async function loadContext(deps: ActionDeps, repository: string): Promise<RepositoryContext | undefined> {
  let ctx: RepositoryContext;
  try {
    ctx = await deps.server.context(repository);
  } catch (err) {
    deps.ui.error(`GTO: could not read the repository: ${errorMessage(err)}`);
    return undefined;
  }
  if (!ctx.ok) {
    deps.ui.error(`GTO: ${ctx.message}`);
    return undefined;
  }
  return ctx;
}

export async function annotate(
  deps: ActionDeps,
  repository: string,
  prefill: AnnotatePrefill,
): Promise<ActionResult> {
  const ctx = await loadContext(deps, repository);
  if (!ctx) {
    return { status: 'failed', message: 'no repository context' };
  }
  const blocked = commitBlocked(deps);
  const answers = await runAnnotateFlow(deps.prompter, {
    context: ctx,
    prefill,
    afterAnnotate: deps.settings.afterAnnotate,
    commitBlocked: blocked,
  });
  if (!answers) {
    return { status: 'cancelled', message: 'cancelled' };
  }
  const dvc = answers.format === 'dvc';
  const params = {
    repository,
    // Absent `file` means artifacts.yaml, as before dvc.yaml support.
    ...(dvc ? { file: answers.file } : {}),
    name: answers.name,
    ...(answers.type ? { type: answers.type } : {}),
    ...(answers.path ? { path: answers.path } : {}),
    ...(answers.mustExist ? { must_exist: true } : {}),
    ...(answers.labels.length ? { labels: answers.labels } : {}),
    ...(answers.description ? { description: answers.description } : {}),
  };
  deps.log?.(`annotate ${JSON.stringify(params)}`);
  // Asked before the edit lands in the editor: afterwards the document is unsaved because of it.
  const others = otherChanges(deps, ctx, answers.file);
  let res;
  try {
    res = await deps.server.annotate(params);
  } catch (err) {
    const message = `GTO: annotate failed: ${errorMessage(err)}`;
    deps.ui.error(message);
    return { status: 'failed', message };
  }
  if (!res.ok) {
    deps.ui.error(`GTO: ${fullMessage(res)}`);
    return { status: 'failed', message: fullMessage(res) };
  }
  if (res.applied === false) {
    // The file already says this: nothing to change, nothing to commit.
    deps.ui.info(`GTO: ${res.message}`);
    return { status: 'unchanged', message: res.message };
  }
  const change: PendingChange = {
    name: answers.fullName,
    action: 'annotate',
    type: answers.type,
    path: answers.path,
    file: answers.file,
  };
  deps.pending.set(ctx.root, change);
  const document = res.uri ?? absolutePath(ctx, answers.file);
  return followUp(deps, repository, ctx, change, answers.followUp, document, `Annotated ${answers.fullName}`, others);
}

/** The entries a remove may target, one per full name, each with the files that declare it. */
interface RemoveTarget {
  fullName: string;
  entries: AnnotatedEntry[];
}

function removeTargets(ctx: RepositoryContext, prefill: RemovePrefill): RemoveTarget[] {
  let entries = allEntries(ctx);
  if (prefill.file) {
    const format = formatOf(ctx, prefill.file);
    const inFile = artifactsIn(ctx, prefill.file);
    entries = Object.entries(inFile).map(([name, info]) => ({
      file: prefill.file as string,
      format,
      name,
      fullName: fullName(prefill.file as string, format, name),
      info,
    }));
    if (prefill.name && !inFile[prefill.name]) {
      // Not (yet) in the context: let the server say what it finds.
      entries.push({
        file: prefill.file,
        format,
        name: prefill.name,
        fullName: fullName(prefill.file, format, prefill.name),
        info: { virtual: true, labels: [] },
      });
    }
  }
  const byName = new Map<string, RemoveTarget>();
  for (const e of entries) {
    const t = byName.get(e.fullName) ?? { fullName: e.fullName, entries: [] };
    t.entries.push(e);
    byName.set(e.fullName, t);
  }
  if (prefill.name) {
    const wanted = prefill.file ? fullName(prefill.file, formatOf(ctx, prefill.file), prefill.name) : prefill.name;
    const found = byName.get(wanted);
    // An unknown name goes to artifacts.yaml, as before dvc.yaml support: the server says it is not there.
    const gto = indexRelative(ctx);
    return [
      found ?? {
        fullName: wanted,
        entries: [{ file: gto, format: 'gto', name: wanted, fullName: wanted, info: { virtual: true, labels: [] } }],
      },
    ];
  }
  return [...byName.values()].sort((a, b) => (a.fullName < b.fullName ? -1 : a.fullName > b.fullName ? 1 : 0));
}

export async function remove(deps: ActionDeps, repository: string, prefill: RemovePrefill): Promise<ActionResult> {
  const ctx = await loadContext(deps, repository);
  if (!ctx) {
    return { status: 'failed', message: 'no repository context' };
  }
  const targets = removeTargets(ctx, prefill);
  const several = annotationFiles(ctx).length > 1;
  const fixed = fixedFollowUp(deps.settings.afterAnnotate);
  const title = 'GTO: Remove Artifact Annotation';
  const askName = !prefill.name;
  if (askName && targets.length === 0) {
    const where = several ? 'artifacts.yaml and the dvc.yaml files have' : 'artifacts.yaml has';
    deps.ui.info(`GTO: ${where} no artifacts to remove.`);
    return { status: 'cancelled', message: 'no artifacts' };
  }
  let target = targets[0] as RemoveTarget;
  let entry = target.entries[0] as AnnotatedEntry;
  let what: FollowUp = 'none';
  /** Until a name is picked, the file question is not counted in the step total. */
  let named = !askName;
  const steps: FlowStep[] = [];
  const total = (): number => stepNumber(steps, steps.length - 1);
  steps.push(
    {
      id: 'removeName',
      shown: () => askName,
      run: async (n) => {
        const r = await deps.prompter.pick<RemoveTarget>({
          id: 'removeName',
          title,
          step: n,
          totalSteps: total(),
          placeholder: several ? 'Artifact whose annotation to remove' : 'Artifact whose annotation to remove from artifacts.yaml',
          items: targets.map((t) => {
            const only = t.entries.length === 1 ? describeArtifact(t.entries[0]!.info, t.entries[0]!.format) : '';
            const files = several ? `in ${t.entries.map((e) => e.file).join(' and ')}` : '';
            return { label: t.fullName, description: [only, files].filter((d) => d).join(' · '), value: t };
          }),
          active: target,
        });
        if (r.kind === 'ok') {
          named = true;
          if (r.value !== target) {
            target = r.value;
            entry = target.entries[0] as AnnotatedEntry;
          }
        }
        return r;
      },
    },
    {
      id: 'removeFile',
      shown: () => named && target.entries.length > 1,
      run: async (n) => {
        const r = await deps.prompter.pick<AnnotatedEntry>({
          id: 'removeFile',
          title,
          step: n,
          totalSteps: total(),
          placeholder: `'${target.fullName}' is annotated in ${target.entries.length} files: remove it from which one?`,
          items: target.entries.map((e) => ({ label: e.file, description: describeArtifact(e.info, e.format), value: e })),
          active: entry,
        });
        if (r.kind === 'ok') {
          entry = r.value;
        }
        return r;
      },
    },
    {
      id: 'removeConfirm',
      shown: () => true,
      run: async (n) => {
        const blocked = commitBlocked(deps);
        const suffix = blocked ? ` (${blocked})` : '';
        const items: { label: string; description?: string; value: FollowUp }[] =
          fixed === undefined
            ? [
                { label: 'Remove', description: `change ${entry.file} in the editor`, value: 'none' },
                { label: 'Remove and commit', description: removeCommitMessage(entry.fullName) + suffix, value: 'commit' },
                ...(ctx.pushRemote === null
                  ? []
                  : [{ label: 'Remove, commit and push', description: suffix.trim(), value: 'commitAndPush' as const }]),
              ]
            : [
                {
                  label: `Remove '${entry.fullName}'`,
                  description: fixed === 'none' ? '' : `then ${fixed === 'commit' ? 'commit' : 'commit and push'}`,
                  value: fixed,
                },
              ];
        const r = await deps.prompter.pick<FollowUp>({
          id: 'removeConfirm',
          title,
          step: n,
          totalSteps: total(),
          placeholder: `Remove the annotation of '${entry.fullName}' from ${entry.file}? (Escape keeps it)`,
          items,
        });
        if (r.kind === 'ok') {
          what = r.value;
        }
        return r;
      },
    },
  );
  if (!(await runSteps(steps))) {
    return { status: 'cancelled', message: 'cancelled' };
  }
  const file = entry.file;
  const others = otherChanges(deps, ctx, file);
  let res;
  try {
    res = await deps.server.remove({ repository, name: entry.name, ...(entry.format === 'dvc' ? { file } : {}) });
  } catch (err) {
    const message = `GTO: remove failed: ${errorMessage(err)}`;
    deps.ui.error(message);
    return { status: 'failed', message };
  }
  if (!res.ok) {
    deps.ui.error(`GTO: ${fullMessage(res)}`);
    return { status: 'failed', message: fullMessage(res) };
  }
  const change: PendingChange = { name: entry.fullName, action: 'remove', file };
  deps.pending.set(ctx.root, change);
  return followUp(deps, repository, ctx, change, what, res.uri ?? absolutePath(ctx, file), `Removed ${entry.fullName}`, others);
}

async function followUp(
  deps: ActionDeps,
  repository: string,
  ctx: RepositoryContext,
  change: PendingChange,
  what: FollowUp,
  document: string,
  done: string,
  /** What else the file held before this change (unsaved or uncommitted edits), which a commit takes along. */
  others: string | undefined,
): Promise<ActionResult> {
  if (what === 'none') {
    const message = `${done} in ${change.file} (not saved yet).`;
    deps.ui.info(message);
    return { status: 'changed', message };
  }
  const blocked = commitBlocked(deps);
  if (blocked) {
    const message = `${done}, but did not commit: ${blocked}.`;
    deps.ui.error(message);
    return { status: 'commitRefused', message };
  }
  if (others && !(await deps.ui.confirm(othersWarning(change.file, others), COMMIT_ALL))) {
    const message = `${done} in ${change.file}, not committed (${others} there too). Commit with "GTO: Commit Annotations..." when ready.`;
    deps.ui.info(message);
    return { status: 'changed', message };
  }
  return commitChange(deps, repository, ctx, change, what === 'commitAndPush', document, done);
}

async function commitChange(
  deps: ActionDeps,
  repository: string,
  ctx: RepositoryContext,
  change: PendingChange,
  push: boolean,
  document: string,
  done: string,
): Promise<ActionResult> {
  const prefix = done ? `${done}, but ` : '';
  if (!(await deps.ui.save(document))) {
    const message = `${prefix}${change.file} could not be saved, so it was not committed.`;
    deps.ui.error(message);
    return { status: 'commitFailed', message };
  }
  let res;
  try {
    res = await deps.server.commit({
      repository,
      ...(formatOf(ctx, change.file) === 'dvc' ? { file: change.file } : {}),
      name: change.name,
      action: change.action,
      ...(change.type ? { type: change.type } : {}),
      ...(change.path ? { path: change.path } : {}),
      ...(push ? { push: true } : {}),
    });
  } catch (err) {
    const message = `${prefix}the commit failed: ${errorMessage(err)}`;
    deps.ui.error(message);
    return { status: 'commitFailed', message };
  }
  if (!res.ok) {
    // A commit can succeed and the push fail: the server then reports ok=false with a sha.
    const message = res.sha
      ? `${done ? done + '; ' : ''}committed ${shortSha(res.sha)}, but the push failed: ${res.message}`
      : `${prefix}the commit failed: ${res.message}`;
    if (res.sha) {
      clearPending(deps, ctx, change);
    }
    deps.ui.error(message);
    return { status: 'commitFailed', message, sha: res.sha };
  }
  clearPending(deps, ctx, change);
  const pushed = res.pushed ? ' and pushed' : '';
  if (res.otherFiles && res.otherFiles.length > 0) {
    // A commit hook put other files into the commit: the server's sentence says what it holds.
    const message = `${done ? done + '; c' : 'C'}ommitted ${shortSha(res.sha)}${pushed}. ${res.message}`;
    deps.ui.error(message);
    return { status: 'committed', message, sha: res.sha };
  }
  const message = `${done ? done + '; c' : 'C'}ommitted ${shortSha(res.sha)}${pushed}`;
  deps.ui.info(message);
  return { status: 'committed', message, sha: res.sha };
}

export const COMMIT_ALL = 'Commit All';

/** The modal's question: the commit holds the whole file, so it takes along what else changed in it. */
export function othersWarning(file: string, others: string): string {
  return `${file} has ${others}: the commit will include them. Commit all of ${file}?`;
}

/** The changes of `file` besides the one about to be made: other unsaved edits, or edits since the last commit. */
function otherChanges(deps: ActionDeps, ctx: RepositoryContext, file: string): string | undefined {
  const f = annotationFiles(ctx).find((x) => x.file === file);
  if (!f) {
    return undefined;
  }
  const { changed, why } = changesOf(deps, ctx, f);
  if (!changed) {
    return undefined;
  }
  return why === 'unsaved changes' ? 'other unsaved changes' : 'other changes since the last commit';
}

/**
 * Does `f` hold changes to commit: unsaved in the editor, or different from HEAD as far as the server says
 * (it says for artifacts.yaml; for a dvc.yaml only if its entry carries `dirty`). Undefined: not known.
 */
function changesOf(deps: ActionDeps, ctx: RepositoryContext, f: AnnotationFile): { changed?: boolean; why: string } {
  if (deps.ui.isDirty(absolutePath(ctx, f.file))) {
    return { changed: true, why: 'unsaved changes' };
  }
  const dirty = f.format === 'gto' && f.file === indexRelative(ctx) ? ctx.dirty : f.dirty;
  if (dirty !== undefined) {
    return { changed: dirty, why: dirty ? 'changed since the last commit' : '' };
  }
  return { changed: f.exists ? undefined : false, why: '' };
}

/**
 * "Commit Annotations": commits one saved annotation file (which one is asked when several hold changes) with
 * GTO's message for the change it holds.
 */
export async function commit(deps: ActionDeps, repository: string): Promise<ActionResult> {
  const blocked = commitBlocked(deps);
  if (blocked) {
    const message = `Cannot commit annotations: ${blocked}.`;
    deps.ui.error(message);
    return { status: 'commitRefused', message };
  }
  const ctx = await loadContext(deps, repository);
  if (!ctx) {
    return { status: 'failed', message: 'no repository context' };
  }
  const pending = deps.pending.get(ctx.root);
  // The server compares the saved file with HEAD; unsaved changes in the editor count too (they get saved).
  const all = annotationFiles(ctx).map((f) => ({ f, ...changesOf(deps, ctx, f) }));
  // Files known to hold changes (and the last change's file); when none is known, the files whose state the
  // server does not report: git then says whether there is anything to commit.
  const known = all.filter((x) => x.changed === true || x.f.file === pending?.file);
  const files = (known.length > 0 ? known : all.filter((x) => x.changed === undefined)).sort(
    (a, b) => Number(b.f.file === pending?.file) - Number(a.f.file === pending?.file),
  );
  if (files.length === 0) {
    const names = annotationFiles(ctx).map((f) => f.file);
    const message = `GTO: ${names.length > 1 ? names.join(', ') : names[0] ?? 'artifacts.yaml'} ${names.length > 1 ? 'have' : 'has'} no changes to commit.`;
    deps.ui.info(message);
    return { status: 'cancelled', message };
  }
  const title = 'GTO: Commit Annotations';
  let file = files[0]!.f.file;
  let chosen: PendingChange | undefined;
  const messages = (): { label: string; description?: string; value: PendingChange }[] => {
    const format = formatOf(ctx, file);
    const items: { label: string; description?: string; value: PendingChange }[] = [];
    const last = pending?.file === file ? pending : undefined;
    if (last) {
      items.push({ label: messageFor(last), description: 'last change', value: last });
    }
    for (const [name, a] of Object.entries(artifactsIn(ctx, file)).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
      const change: PendingChange = {
        name: fullName(file, format, name),
        action: 'annotate',
        type: a.type ?? undefined,
        path: a.path ?? undefined,
        file,
      };
      if (!last || messageFor(last) !== messageFor(change)) {
        items.push({ label: messageFor(change), value: change });
      }
    }
    return items;
  };
  const steps: FlowStep[] = [];
  const total = (): number => stepNumber(steps, steps.length - 1);
  steps.push(
    {
      id: 'commitFile',
      shown: () => files.length > 1,
      run: async (n) => {
        const r = await deps.prompter.pick<string>({
          id: 'commitFile',
          title,
          step: n,
          totalSteps: total(),
          placeholder: 'Commit which file? (only that file is committed)',
          items: files.map((x) => ({
            label: x.f.file,
            description: [x.f.file === pending?.file ? 'last change' : '', x.why].filter((d) => d).join(' · '),
            value: x.f.file,
          })),
          active: file,
        });
        if (r.kind === 'ok') {
          file = r.value;
        }
        return r;
      },
    },
    {
      id: 'commitMessage',
      shown: () => true,
      run: async (n) => {
        const items = messages();
        if (items.length === 0) {
          return { kind: 'cancel' };
        }
        const r = await deps.prompter.pick<PendingChange>({
          id: 'commitMessage',
          title,
          step: n,
          totalSteps: total(),
          placeholder: `Commit message (GTO style): which change does ${file} hold?`,
          items,
        });
        if (r.kind === 'ok') {
          chosen = r.value;
        }
        return r;
      },
    },
  );
  const accepted = await runSteps(steps);
  if (!accepted && messages().length === 0) {
    const message = 'GTO: no artifact to name in the commit message.';
    deps.ui.error(message);
    return { status: 'failed', message };
  }
  if (!accepted || !chosen) {
    return { status: 'cancelled', message: 'cancelled' };
  }
  return commitChange(deps, repository, ctx, chosen, false, absolutePath(ctx, file), '');
}

/** Forgets the pending change once its file is committed (a commit of another file leaves it). */
function clearPending(deps: ActionDeps, ctx: RepositoryContext, committed: PendingChange): void {
  if (deps.pending.get(ctx.root)?.file === committed.file) {
    deps.pending.clear(ctx.root);
  }
}

function messageFor(c: PendingChange): string {
  return c.action === 'remove' ? removeCommitMessage(c.name) : annotateCommitMessage(c.name, c.type, c.path);
}

/**
 * "Move Annotations to dvc.yaml": the server first says what would move, be dropped and stay (a dry run); once
 * confirmed it applies the move as one edit of both files (one undo reverts it) and answers the same summary.
 */
export async function migrate(
  server: { migrate(params: MigrateParams): Promise<MigrateResult> },
  ui: Pick<Ui, 'info' | 'error' | 'confirm'>,
  params: MigrateParams,
): Promise<ActionResult> {
  let res: MigrateResult;
  try {
    res = await server.migrate({ ...params, dryRun: true });
    if (res.ok) {
      // A modal: the summary (what is dropped) is the point, and a notification toast cuts it after one line.
      if (!(await ui.confirm(`${res.message} Move them?`, MOVE))) {
        return { status: 'cancelled', message: 'cancelled' };
      }
      res = await server.migrate(params);
    }
  } catch (err) {
    const message = `GTO: moving annotations failed: ${errorMessage(err)}`;
    ui.error(message);
    return { status: 'failed', message };
  }
  if (!res.ok || !res.applied) {
    ui.error(`GTO: ${fullMessage(res)}`);
    return { status: 'failed', message: fullMessage(res) };
  }
  ui.info(`GTO: ${res.message} (not saved yet; Undo reverts it)`);
  return { status: 'changed', message: res.message };
}

const MOVE = 'Move';

export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    return err.message;
  }
  if (err && typeof err === 'object' && 'message' in err) {
    return String((err as { message: unknown }).message);
  }
  return String(err);
}
