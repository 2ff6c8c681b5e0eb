/**
 * Register Version..., Assign Stage... and Deprecate...: the prompts and the calls, over the same small interfaces
 * as actions.ts (server, prompter, messages). Pure: the extension passes VS Code-backed implementations.
 *
 * Every choice the prompts offer comes from the server (`gto.server.registryState`: the next version per bump by
 * GTO's rule, the stages from `.gto` or in use); before anything is created the confirmation shows the tag(s) the
 * server plans (a dry run of the same command), or GTO's refusal. Nothing runs git in Restricted Mode or with
 * `gto.git.enabled: false`: the command says why and asks nothing.
 */
import { allEntries } from './annotationFiles';
import { commitBlocked, errorMessage, shortSha, type ActionDeps, type Ui } from './actions';
import type {
  Bump,
  RegistryPrefill,
  RegistryState,
  RegistryWriteResult,
  RepositoryContext,
  ServerResult,
} from './contract';
import { fullMessage } from './contract';
import { validateName } from './names';
import { runSteps, stepNumber, type FlowStep, type PickItem } from './prompter';

export interface RegistryUi extends Ui {
  /** An information message with buttons; the button chosen, or undefined when dismissed. */
  infoWith(message: string, ...buttons: string[]): Promise<string | undefined>;
  /** Runs `work` while a progress notification titled `title` shows. */
  progress<T>(title: string, work: () => Promise<T>): Promise<T>;
}

export type RegistryDeps = Omit<ActionDeps, 'ui' | 'pending'> & { ui: RegistryUi };

export type RegistryStatus = 'cancelled' | 'refused' | 'failed' | 'created' | 'pushed' | 'pushFailed';

export interface RegistryResult {
  status: RegistryStatus;
  message: string;
  /** The tags created, in order. */
  tags?: string[];
}

export interface RegistryPrefillWithPath extends RegistryPrefill {
  /** From the explorer: a repository-relative path; the artifact is the one annotated with this path. */
  path?: string;
}

export const PUSH = 'Push';
const BUMPS: Bump[] = ['patch', 'minor', 'major'];

// GTO's version rule (server: core/registry/tags.py SEMVER_RE): "v" and a SemVer 2.0 version.
const NUM = '(?:0|[1-9][0-9]*)';
const PRE_ID = '(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)';
const VERSION_RE = new RegExp(
  `^v${NUM}\\.${NUM}\\.${NUM}(?:-${PRE_ID}(?:\\.${PRE_ID})*)?(?:\\+[0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*)?$`,
);

/**
 * Why `text` cannot be registered as a version of this artifact, or undefined: checked as the user types, so a
 * bad version keeps the prompt open with the reason instead of ending the flow at GTO's refusal.
 */
export function validateVersion(text: string, state: Pick<RegistryState, 'versions'>): string | undefined {
  const v = text.trim();
  if (!v) {
    return 'Type a version, e.g. v1.0.0';
  }
  if (!VERSION_RE.test(v)) {
    const hint = /^\d/.test(v) && VERSION_RE.test(`v${v}`) ? ` (did you mean v${v}?)` : '';
    return `'${v}' is not a version GTO accepts: "v" and a SemVer 2.0 version, e.g. v1.0.0 or v2.0.0-rc.1${hint}`;
  }
  const taken = state.versions.find((x) => x.version === v);
  if (taken) {
    const how = taken.active ? 'is registered' : 'was registered and deregistered';
    return `${v} ${how} already (commit ${shortSha(taken.commit)}): choose another version`;
  }
  return undefined;
}

/** Why no registry action can run here (no git), or undefined. */
export function registryBlocked(deps: Pick<RegistryDeps, 'trusted' | 'settings'>): string | undefined {
  return commitBlocked(deps);
}

function refuse(deps: RegistryDeps, what: string, why: string): RegistryResult {
  const message = `Cannot ${what}: ${why}.`;
  deps.ui.error(message);
  return { status: 'refused', message };
}

async function call<T extends ServerResult>(deps: RegistryDeps, what: string, run: () => Promise<T>): Promise<T | undefined> {
  let res: T;
  try {
    res = await run();
  } catch (err) {
    deps.ui.error(`GTO: ${what} failed: ${errorMessage(err)}`);
    return undefined;
  }
  if (!res.ok) {
    deps.ui.error(`GTO: ${fullMessage(res)}`);
    return undefined;
  }
  return res;
}

/** One artifact a registry command may act on: its full name and what the repository says of it. */
interface Candidate {
  name: string;
  description: string;
  paths: string[];
}

function candidates(ctx: RepositoryContext): Candidate[] {
  const byName = new Map<string, Candidate>();
  const add = (name: string, path?: string | null): void => {
    const c = byName.get(name) ?? { name, description: '', paths: [] };
    if (path && !c.paths.includes(path)) {
      c.paths.push(path);
    }
    byName.set(name, c);
  };
  for (const e of allEntries(ctx)) {
    add(e.fullName, e.info.path);
  }
  for (const name of Object.keys(ctx.registry)) {
    add(name);
  }
  for (const c of byName.values()) {
    const r = ctx.registry[c.name];
    const state = r ? [r.latest ?? 'no active version', ...Object.entries(r.stages).map(([s, v]) => `${s}: ${v}`)] : ['not registered'];
    if (r?.deprecated) {
      state.push('deprecated');
    }
    c.description = [state.join(' · '), ...c.paths].join(' · ');
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The artifact's full name: given, found by the explorer's path, or picked (or typed) by the user. */
async function chooseName(
  deps: RegistryDeps,
  repository: string,
  prefill: RegistryPrefillWithPath,
  title: string,
  allowNew: boolean,
): Promise<string | undefined> {
  if (prefill.name) {
    return prefill.name;
  }
  const ctx = await call(deps, 'reading the repository', () => deps.server.context(repository));
  if (!ctx) {
    return undefined;
  }
  let all = candidates(ctx);
  if (prefill.path) {
    all = all.filter((c) => c.paths.includes(prefill.path as string));
    if (all.length === 0) {
      deps.ui.error(`GTO: no artifact is annotated with the path '${prefill.path}'. Annotate it first (GTO: Annotate as Artifact...).`);
      return undefined;
    }
    if (all.length === 1) {
      return all[0]!.name;
    }
  }
  if (all.length === 0 && !allowNew) {
    deps.ui.info('GTO: the repository has no artifacts (annotated or registered).');
    return undefined;
  }
  const r = await deps.prompter.pick<string>({
    id: 'artifact',
    title,
    step: 1,
    totalSteps: 1,
    placeholder: prefill.path ? `Artifacts annotated with the path ${prefill.path}` : 'Artifact',
    items: all.map((c) => ({ label: c.name, description: c.description, value: c.name })),
    ...(allowNew && !prefill.path
      ? { freeText: { label: (t: string) => `New artifact '${t}'`, validate: validateName, toValue: (t: string) => t } }
      : {}),
  });
  return r.kind === 'ok' ? r.value : undefined;
}

/** The gate (no git: refused, nothing asked), the artifact, and its registry state from the server. */
async function begin(
  deps: RegistryDeps,
  repository: string,
  prefill: RegistryPrefillWithPath,
  what: string,
  title: string,
  allowNew: boolean,
): Promise<{ name: string; state: RegistryState } | RegistryResult> {
  const blocked = registryBlocked(deps);
  if (blocked) {
    return refuse(deps, what, blocked);
  }
  const name = await chooseName(deps, repository, prefill, title, allowNew);
  if (!name) {
    return { status: 'cancelled', message: 'cancelled' };
  }
  const state = await call(deps, 'reading the registry', () => deps.server.registryState(repository, name));
  return state ? { name, state } : { status: 'failed', message: 'no registry state' };
}

/** Runs the prompts; once confirmed, creates the planned tags (with `--force` when the confirmation chose it). */
async function finish(
  deps: RegistryDeps,
  repository: string,
  title: string,
  steps: FlowStep[],
  out: { confirm?: Confirm; refused?: string },
  write: (dryRun: boolean, push: boolean, force?: boolean) => Promise<RegistryWriteResult>,
  /** The server's `remote`: null when the repository has none (no Push offered); undefined from an older server. */
  remote: string | null | undefined,
): Promise<RegistryResult> {
  if (!(await runSteps(steps)) || !out.confirm) {
    if (out.refused) {
      deps.ui.error(out.refused);
      return { status: 'failed', message: out.refused };
    }
    return { status: 'cancelled', message: 'cancelled' };
  }
  const force = out.confirm.force;
  return create(deps, repository, title, (d, p) => write(d, p, force), out.confirm.push, remote);
}

type Write = (dryRun: boolean, push: boolean) => Promise<RegistryWriteResult>;

interface Confirm {
  push: boolean;
  force: boolean;
}

function tagsText(res: RegistryWriteResult): string {
  const tags = res.tags?.map((t) => t.tag) ?? (res.tag ? [res.tag] : []);
  return tags.join(' then ');
}

/**
 * The last step: a dry run says which tag(s) would be created, or GTO's refusal (then, when GTO would accept
 * `--force`, the user may create a new tag anyway). The answer: create, create and push, or Escape.
 */
function confirmStep(
  deps: RegistryDeps,
  title: string,
  steps: FlowStep[],
  write: (dryRun: boolean, push: boolean, force?: boolean) => Promise<RegistryWriteResult>,
  where: () => string,
  out: { confirm?: Confirm; refused?: string },
  remote: string | null | undefined,
): FlowStep {
  return {
    id: 'confirm',
    shown: () => true,
    run: async (n) => {
      let plan: RegistryWriteResult;
      try {
        plan = await write(true, false, false);
      } catch (err) {
        out.refused = `GTO: ${errorMessage(err)}`;
        return { kind: 'cancel' };
      }
      let force = false;
      const refusal = plan.message;
      if (!plan.ok) {
        if (!/--force/.test(plan.message)) {
          out.refused = `GTO: ${fullMessage(plan)}`;
          return { kind: 'cancel' };
        }
        const forced = await write(true, false, true).catch(() => undefined);
        if (!forced?.ok) {
          out.refused = `GTO: ${fullMessage(plan)}`;
          return { kind: 'cancel' };
        }
        plan = forced;
        force = true;
      }
      const tags = tagsText(plan);
      const message = plan.tags?.map((t) => t.message).join('; ') ?? '';
      const r = await deps.prompter.pick<boolean>({
        id: 'confirm',
        title,
        step: n,
        totalSteps: stepNumber(steps, steps.length - 1),
        placeholder: force
          ? `${refusal.replace(/ Use the '--force' flag.*$/, '')} Create ${tags} anyway${where()}?`
          : `Create the tag ${tags}${where()}? (Escape creates nothing)`,
        items: [
          { label: `Create ${tags}`, description: message, value: false },
          ...(remote === null ? [] : [{ label: `Create ${tags} and push`, description: `to ${remote ?? 'origin'}`, value: true }]),
        ],
      });
      if (r.kind === 'ok') {
        out.confirm = { push: r.value, force };
      }
      return r;
    },
  };
}

/** Creates the tag(s) with progress, then reports, with a Push button when they were not pushed and can be. */
async function create(
  deps: RegistryDeps,
  repository: string,
  title: string,
  write: Write,
  push: boolean,
  remote: string | null | undefined,
): Promise<RegistryResult> {
  let res: RegistryWriteResult;
  try {
    res = await deps.ui.progress(`${title}: creating the tag${push ? ' and pushing' : ''}`, () => write(false, push));
  } catch (err) {
    const message = `GTO: ${errorMessage(err)}`;
    deps.ui.error(message);
    return { status: 'failed', message };
  }
  if (!res.ok) {
    const message = `GTO: ${fullMessage(res)}`;
    deps.ui.error(message);
    return { status: 'failed', message };
  }
  const tags = res.tags?.map((t) => t.tag) ?? (res.tag ? [res.tag] : []);
  if (res.pushed) {
    const message = `${res.message} (pushed)`;
    deps.ui.info(message);
    return { status: 'pushed', message, tags };
  }
  if (res.pushError) {
    const message = `${res.message}, but the push failed: ${res.pushError}`;
    deps.ui.error(message);
    return { status: 'pushFailed', message, tags };
  }
  if (remote === null) {
    deps.ui.info(`${res.message} (the repository has no remote to push to)`);
    return { status: 'created', message: res.message, tags };
  }
  const choice = await deps.ui.infoWith(res.message, PUSH);
  if (choice !== PUSH) {
    return { status: 'created', message: res.message, tags };
  }
  return pushTags(deps, repository, tags, res.message);
}

/** Pushes tags created earlier (the notification's Push button). */
export async function pushTags(deps: RegistryDeps, repository: string, tags: string[], created = ''): Promise<RegistryResult> {
  let res: RegistryWriteResult;
  try {
    res = await deps.ui.progress(`GTO: pushing ${tags.join(', ')}`, () => deps.server.pushTags({ repository, tags }));
  } catch (err) {
    res = { ok: false, message: errorMessage(err) };
  }
  if (!res.ok) {
    const message = `${created ? created + ', but t' : 'T'}he push failed: ${fullMessage(res)}`;
    deps.ui.error(message);
    return { status: 'pushFailed', message, tags };
  }
  deps.ui.info(res.message);
  return { status: 'pushed', message: res.message, tags };
}

// ------------------------------------------------------------------------------------------- Register Version...

export const REGISTER_TITLE = 'GTO: Register Version';

type VersionChoice = { bump: Bump } | { custom: true } | { version: string };

export async function register(deps: RegistryDeps, repository: string, prefill: RegistryPrefillWithPath): Promise<RegistryResult> {
  const started = await begin(deps, repository, prefill, 'register a version', REGISTER_TITLE, true);
  if ('status' in started) {
    return started;
  }
  const { name, state } = started;
  let choice: VersionChoice = { bump: 'patch' };
  let custom = '';
  const out: { confirm?: Confirm; refused?: string } = {};
  const steps: FlowStep[] = [];
  const total = (): number => stepNumber(steps, steps.length - 1);
  const params = (): { version?: string; bump?: Bump } =>
    'bump' in choice ? (state.registered && state.next[choice.bump] ? { bump: choice.bump } : {}) : { version: 'version' in choice ? choice.version : custom };
  const write = (dryRun: boolean, push: boolean): Promise<RegistryWriteResult> =>
    deps.server.register({ repository, name, ...params(), ...(push ? { push } : {}), ...(dryRun ? { dryRun } : {}) });
  const head = state.head.commit ? ` at HEAD (${shortSha(state.head.commit)})` : ' at HEAD';
  steps.push(
    {
      id: 'version',
      shown: () => true,
      run: async (n) => {
        const items: PickItem<VersionChoice>[] = [];
        if (!state.registered) {
          items.push({ label: state.defaultVersion, description: `first version · tag ${state.registerTags.patch ?? ''}`, value: { bump: 'patch' } });
        } else {
          for (const bump of BUMPS) {
            const v = state.next[bump];
            if (v) {
              items.push({ label: v, description: `${bump} bump of ${state.latest ?? '-'} · tag ${state.registerTags[bump] ?? ''}`, value: { bump } });
            }
          }
        }
        items.push({ label: 'Custom version...', description: 'v + SemVer, e.g. v2.0.0-rc.1', value: { custom: true } });
        const r = await deps.prompter.pick<VersionChoice>({
          id: 'version',
          title: `${REGISTER_TITLE} of ${name}`,
          step: n,
          totalSteps: total(),
          placeholder: state.head.version
            ? `HEAD already has ${name} ${state.head.version}: GTO registers one version per commit`
            : `Version to register${head} (GTO bumps the highest active version)`,
          items,
          freeText: { label: (t) => `Version ${t}`, validate: (t) => validateVersion(t, state), toValue: (t) => ({ version: t.trim() }) },
        });
        if (r.kind === 'ok') {
          choice = r.value;
        }
        return r;
      },
    },
    {
      id: 'customVersion',
      shown: () => 'custom' in choice,
      run: async (n) => {
        const r = await deps.prompter.input({
          id: 'customVersion',
          title: `${REGISTER_TITLE} of ${name}`,
          step: n,
          totalSteps: total(),
          prompt: 'The version: "v" and a SemVer 2.0 version',
          value: custom || state.defaultVersion,
          validate: (v) => validateVersion(v, state),
        });
        if (r.kind === 'ok') {
          custom = r.value.trim();
        }
        return r;
      },
    },
  );
  const remote = state.remote;
  steps.push(confirmStep(deps, `${REGISTER_TITLE} of ${name}`, steps, write, () => head, out, remote));
  return finish(deps, repository, REGISTER_TITLE, steps, out, write, remote);
}

// ------------------------------------------------------------------------------------------- Assign Stage...

export const ASSIGN_TITLE = 'GTO: Assign Stage';

/** A version to assign, or HEAD's commit (registered first by the server when it has no version). */
type Target = { version: string } | { head: true };

export async function assign(deps: RegistryDeps, repository: string, prefill: RegistryPrefillWithPath): Promise<RegistryResult> {
  const started = await begin(deps, repository, prefill, 'assign a stage', ASSIGN_TITLE, false);
  if ('status' in started) {
    return started;
  }
  const { name, state } = started;
  const title = `${ASSIGN_TITLE} of ${name}`;
  let stage = '';
  const active = state.versions.filter((v) => v.active && v.version.startsWith('v'));
  let target: Target = active[0] ? { version: state.latest ?? active[0].version } : { head: true };
  const out: { confirm?: Confirm; refused?: string } = {};
  const steps: FlowStep[] = [];
  const total = (): number => stepNumber(steps, steps.length - 1);
  const write = (dryRun: boolean, push: boolean, force = false): Promise<RegistryWriteResult> =>
    deps.server.assign({
      repository,
      name,
      stage,
      ...('version' in target ? { version: target.version } : {}),
      ...(force ? { force } : {}),
      ...(push ? { push } : {}),
      ...(dryRun ? { dryRun } : {}),
    });
  steps.push(
    {
      id: 'stage',
      shown: () => true,
      run: async (n) => {
        const r = await deps.prompter.pick<string>({
          id: 'stage',
          title,
          step: n,
          totalSteps: total(),
          placeholder: state.stagesRestricted ? 'Stage (.gto allows these)' : 'Stage (type a new one to add it)',
          items: state.stageChoices.map((s) => ({
            label: s,
            description: state.stages[s] ? `now ${state.stages[s]}` : '',
            value: s,
          })),
          ...(state.stagesRestricted
            ? {}
            : { freeText: { label: (t: string) => `New stage '${t}'`, validate: (t: string) => validateName(t, 'stage'), toValue: (t: string) => t } }),
        });
        if (r.kind === 'ok') {
          stage = r.value;
        }
        return r;
      },
    },
    {
      id: 'assignVersion',
      shown: () => true,
      run: async (n) => {
        const items: PickItem<Target>[] = active.map((v) => ({
          label: v.version,
          description: [v.version === state.latest ? 'latest' : '', v.stages.length ? `in ${v.stages.join(', ')}` : '']
            .filter((d) => d)
            .join(' · '),
          value: { version: v.version },
        }));
        const current = items.find((i) => 'version' in i.value && 'version' in target && i.value.version === target.version);
        if (!state.head.version) {
          items.push({
            label: `HEAD (${shortSha(state.head.commit ?? undefined)})`,
            description: `registers ${state.defaultVersion} first`,
            value: { head: true },
          });
        }
        const r = await deps.prompter.pick<Target>({
          id: 'assignVersion',
          title,
          step: n,
          totalSteps: total(),
          placeholder: `Version of ${name} to put in '${stage}'`,
          items,
          ...(current ? { active: current.value } : {}),
        });
        if (r.kind === 'ok') {
          target = r.value;
        }
        return r;
      },
    },
  );
  const remote = state.remote;
  steps.push(confirmStep(deps, title, steps, write, () => ` (stage '${stage}')`, out, remote));
  return finish(deps, repository, ASSIGN_TITLE, steps, out, write, remote);
}

// ------------------------------------------------------------------------------------------- Deprecate...

export const DEPRECATE_TITLE = 'GTO: Deprecate';

/** Unassign a stage (version + stage), deregister a version (version), or deprecate the artifact ({}). */
interface DeprecateChoice {
  version?: string;
  stage?: string;
}

export async function deprecate(deps: RegistryDeps, repository: string, prefill: RegistryPrefillWithPath): Promise<RegistryResult> {
  const started = await begin(deps, repository, prefill, 'deprecate', DEPRECATE_TITLE, false);
  if ('status' in started) {
    return started;
  }
  const { name, state } = started;
  if (!state.registered) {
    const message = `GTO: '${name}' has no GTO tags: there is nothing to deprecate.`;
    deps.ui.info(message);
    return { status: 'cancelled', message };
  }
  const title = `${DEPRECATE_TITLE} ${name}`;
  let choice: DeprecateChoice = {};
  const out: { confirm?: Confirm; refused?: string } = {};
  const steps: FlowStep[] = [];
  const write = (dryRun: boolean, push: boolean, force = false): Promise<RegistryWriteResult> =>
    deps.server.deprecate({
      repository,
      name,
      ...choice,
      ...(force ? { force } : {}),
      ...(push ? { push } : {}),
      ...(dryRun ? { dryRun } : {}),
    });
  steps.push({
    id: 'deprecateWhat',
    shown: () => true,
    run: async (n) => {
      const items: PickItem<DeprecateChoice>[] = [];
      for (const v of state.versions.filter((x) => x.active)) {
        for (const s of v.stages) {
          items.push({ label: `Unassign stage ${s}`, description: `from ${v.version}`, value: { version: v.version, stage: s } });
        }
      }
      for (const v of state.versions.filter((x) => x.active && x.version.startsWith('v'))) {
        items.push({ label: `Deregister ${v.version}`, description: v.version === state.latest ? 'latest' : '', value: { version: v.version } });
      }
      items.push({
        label: `Deprecate the artifact ${name}`,
        description: state.deprecated ? 'deprecated already' : 'hides it from gto show',
        value: {},
      });
      const r = await deps.prompter.pick<DeprecateChoice>({
        id: 'deprecateWhat',
        title,
        step: n,
        totalSteps: stepNumber(steps, steps.length - 1),
        placeholder: 'What to deprecate (GTO creates a tag; nothing is deleted)',
        items,
      });
      if (r.kind === 'ok') {
        choice = r.value;
      }
      return r;
    },
  });
  const remote = state.remote;
  steps.push(confirmStep(deps, title, steps, write, () => '', out, remote));
  return finish(deps, repository, DEPRECATE_TITLE, steps, out, write, remote);
}
