/**
 * The commands' logic (annotate, remove, commit) over small interfaces: the server's commands, the
 * prompts and the messages. Pure: the extension passes VS Code-backed implementations, tests pass fakes.
 */
import { fixedFollowUp, runAnnotateFlow, describeArtifact, type FollowUp } from './annotateFlow';
import { fullMessage } from './contract';
import type { AnnotatePrefill, RemovePrefill, RepositoryContext, ServerApi } from './contract';
import { annotateCommitMessage, removeCommitMessage } from './names';
import type { Prompter } from './prompter';
import type { ClientSettings } from './settings';

export interface Ui {
  info(message: string): void;
  error(message: string): void;
  /** Saves the document (an absolute path or a URI string) when it is open with changes; false on failure. */
  save(pathOrUri: string): Promise<boolean>;
  /** Is the document open in the editor with unsaved changes? */
  isDirty(pathOrUri: string): boolean;
}

export interface PendingChange {
  name: string;
  action: 'annotate' | 'remove';
  type?: string;
  path?: string;
}

/** The last uncommitted annotate/remove per repository root, so "Commit artifacts.yaml" can reuse its message. */
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
  const params = {
    repository,
    name: answers.name,
    ...(answers.type ? { type: answers.type } : {}),
    ...(answers.path ? { path: answers.path } : {}),
    ...(answers.mustExist ? { must_exist: true } : {}),
    ...(answers.labels.length ? { labels: answers.labels } : {}),
    ...(answers.description ? { description: answers.description } : {}),
  };
  deps.log?.(`annotate ${JSON.stringify(params)}`);
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
  const change: PendingChange = { name: answers.name, action: 'annotate', type: answers.type, path: answers.path };
  deps.pending.set(ctx.root, change);
  return followUp(deps, repository, ctx, change, answers.followUp, res.uri ?? ctx.indexPath, `Annotated ${answers.name}`);
}

export async function remove(deps: ActionDeps, repository: string, prefill: RemovePrefill): Promise<ActionResult> {
  const ctx = await loadContext(deps, repository);
  if (!ctx) {
    return { status: 'failed', message: 'no repository context' };
  }
  const names = Object.keys(ctx.artifacts).sort();
  let name = prefill.name;
  const fixed = fixedFollowUp(deps.settings.afterAnnotate);
  const title = 'GTO: Remove Artifact Annotation';
  let stepCount = (name ? 0 : 1) + 1;
  for (;;) {
    if (!prefill.name) {
      if (names.length === 0) {
        deps.ui.info('GTO: artifacts.yaml has no artifacts to remove.');
        return { status: 'cancelled', message: 'no artifacts' };
      }
      const r = await deps.prompter.pick<string>({
        id: 'removeName',
        title,
        step: 1,
        totalSteps: stepCount,
        placeholder: 'Artifact whose annotation to remove from artifacts.yaml',
        items: names.map((n) => ({ label: n, description: describeArtifact(ctx.artifacts[n]!), value: n })),
        active: name,
      });
      if (r.kind !== 'ok') {
        return { status: 'cancelled', message: 'cancelled' };
      }
      name = r.value;
    }
    const chosen = name as string;
    const blocked = commitBlocked(deps);
    const suffix = blocked ? ` (${blocked})` : '';
    const items: { label: string; description?: string; value: FollowUp }[] =
      fixed === undefined
        ? [
            { label: 'Remove', description: 'change artifacts.yaml in the editor', value: 'none' },
            { label: 'Remove and commit', description: removeCommitMessage(chosen) + suffix, value: 'commit' },
            { label: 'Remove, commit and push', description: suffix.trim(), value: 'commitAndPush' },
          ]
        : [{ label: `Remove '${chosen}'`, description: fixed === 'none' ? '' : `then ${fixed === 'commit' ? 'commit' : 'commit and push'}`, value: fixed }];
    stepCount = prefill.name ? 1 : 2;
    const r = await deps.prompter.pick<FollowUp>({
      id: 'removeConfirm',
      title,
      step: stepCount,
      totalSteps: stepCount,
      placeholder: `Remove the annotation of '${chosen}' from artifacts.yaml? (Escape keeps it)`,
      items,
    });
    if (r.kind === 'back' && !prefill.name) {
      continue;
    }
    if (r.kind !== 'ok') {
      return { status: 'cancelled', message: 'cancelled' };
    }
    let res;
    try {
      res = await deps.server.remove({ repository, name: chosen });
    } catch (err) {
      const message = `GTO: remove failed: ${errorMessage(err)}`;
      deps.ui.error(message);
      return { status: 'failed', message };
    }
    if (!res.ok) {
      deps.ui.error(`GTO: ${fullMessage(res)}`);
      return { status: 'failed', message: fullMessage(res) };
    }
    const change: PendingChange = { name: chosen, action: 'remove' };
    deps.pending.set(ctx.root, change);
    return followUp(deps, repository, ctx, change, r.value, res.uri ?? ctx.indexPath, `Removed ${chosen}`);
  }
}

async function followUp(
  deps: ActionDeps,
  repository: string,
  ctx: RepositoryContext,
  change: PendingChange,
  what: FollowUp,
  document: string,
  done: string,
): Promise<ActionResult> {
  if (what === 'none') {
    const message = `${done} in artifacts.yaml (not saved yet).`;
    deps.ui.info(message);
    return { status: 'changed', message };
  }
  const blocked = commitBlocked(deps);
  if (blocked) {
    const message = `${done}, but did not commit: ${blocked}.`;
    deps.ui.error(message);
    return { status: 'commitRefused', message };
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
    const message = `${prefix}artifacts.yaml could not be saved, so it was not committed.`;
    deps.ui.error(message);
    return { status: 'commitFailed', message };
  }
  let res;
  try {
    res = await deps.server.commit({
      repository,
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
      deps.pending.clear(ctx.root);
    }
    deps.ui.error(message);
    return { status: 'commitFailed', message, sha: res.sha };
  }
  deps.pending.clear(ctx.root);
  const pushed = res.pushed ? ' and pushed' : '';
  const message = `${done ? done + '; c' : 'C'}ommitted ${shortSha(res.sha)}${pushed}`;
  deps.ui.info(message);
  return { status: 'committed', message, sha: res.sha };
}

/** "Commit artifacts.yaml": commits the saved file with GTO's message for the change it holds. */
export async function commit(deps: ActionDeps, repository: string): Promise<ActionResult> {
  const blocked = commitBlocked(deps);
  if (blocked) {
    const message = `Cannot commit artifacts.yaml: ${blocked}.`;
    deps.ui.error(message);
    return { status: 'commitRefused', message };
  }
  const ctx = await loadContext(deps, repository);
  if (!ctx) {
    return { status: 'failed', message: 'no repository context' };
  }
  // The server compares the saved file with HEAD; unsaved changes in the editor count too (they get saved).
  if (!ctx.dirty && !deps.ui.isDirty(ctx.indexPath)) {
    const message = 'GTO: artifacts.yaml has no changes to commit.';
    deps.ui.info(message);
    return { status: 'cancelled', message };
  }
  const pending = deps.pending.get(ctx.root);
  const items: { label: string; description?: string; value: PendingChange }[] = [];
  if (pending) {
    items.push({ label: messageFor(pending), description: 'last change', value: pending });
  }
  for (const [name, a] of Object.entries(ctx.artifacts).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    const change: PendingChange = { name, action: 'annotate', type: a.type ?? undefined, path: a.path ?? undefined };
    if (pending && messageFor(pending) === messageFor(change)) {
      continue;
    }
    items.push({ label: messageFor(change), value: change });
  }
  if (items.length === 0) {
    const message = 'GTO: no artifact to name in the commit message.';
    deps.ui.error(message);
    return { status: 'failed', message };
  }
  const r = await deps.prompter.pick<PendingChange>({
    id: 'commitMessage',
    title: 'GTO: Commit artifacts.yaml',
    step: 1,
    totalSteps: 1,
    placeholder: 'Commit message (GTO style): which change does artifacts.yaml hold?',
    items,
  });
  if (r.kind !== 'ok') {
    return { status: 'cancelled', message: 'cancelled' };
  }
  return commitChange(deps, repository, ctx, r.value, false, ctx.indexPath, '');
}

function messageFor(c: PendingChange): string {
  return c.action === 'remove' ? removeCommitMessage(c.name) : annotateCommitMessage(c.name, c.type, c.path);
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    return err.message;
  }
  if (err && typeof err === 'object' && 'message' in err) {
    return String((err as { message: unknown }).message);
  }
  return String(err);
}
