/**
 * The Annotate prompts, step by step: which file (only when there is a choice and no prefill names one),
 * name, type, path, labels, description, must-exist (only with a path, and only in artifacts.yaml: DVC has no
 * such field) and what to do afterwards (only when gto.afterAnnotate is `ask`): the rows of STEPS, each a
 * function of the shared FlowState. Pure: talks to a Prompter.
 * Escape at any step returns undefined (nothing changes); Back returns to the previous shown step.
 */
import {
  annotationFiles,
  artifactsIn,
  folderOf,
  formatOf,
  fullName,
  indexRelative,
  targetChoices,
} from './annotationFiles';
import type { AnnotatePrefill, AnnotationFormat, ArtifactInfo, RepositoryContext } from './contract';
import { annotateCommitMessage, splitLabels, validateName } from './names';
import { runSteps, type FlowStep, type PickItem, type Prompter, type StepResult } from './prompter';
import type { AfterAnnotate } from './settings';

export type FollowUp = 'none' | 'commit' | 'commitAndPush';

export interface AnnotateAnswers {
  /** The target file, repository-relative ("artifacts.yaml", "dvc.yaml", "sub/dir/dvc.yaml"). */
  file: string;
  format: AnnotationFormat;
  /** The name as written in the file. */
  name: string;
  /** DVC's full name (`sub/dir:name` for a nested dvc.yaml), else the name. */
  fullName: string;
  type?: string;
  path?: string;
  mustExist: boolean;
  labels: string[];
  description?: string;
  followUp: FollowUp;
}

export interface AnnotateFlowInput {
  context: RepositoryContext;
  /** Values to start with (from a code action, the explorer or the active file). */
  prefill: AnnotatePrefill;
  afterAnnotate: AfterAnnotate;
  /** Why commit is unavailable (untrusted workspace, git turned off), or undefined. */
  commitBlocked?: string;
}

export const TITLE = 'GTO: Annotate Artifact';
const NO_VALUE = Symbol('none');
type Maybe = string | typeof NO_VALUE;

/** Follow-up chosen without asking, from gto.afterAnnotate (undefined for `ask`). */
export function fixedFollowUp(after: AfterAnnotate): FollowUp | undefined {
  switch (after) {
    case 'commit':
      return 'commit';
    case 'commitAndPush':
      return 'commitAndPush';
    case 'nothing':
      return 'none';
    default:
      return undefined;
  }
}

/** Is `path` (relative, posix) in HEAD: listed itself, or a folder that holds committed files. */
export function isCommitted(path: string, committed: readonly string[]): boolean {
  const p = path.replace(/^\.\//, '').replace(/\/+$/, '');
  if (!p) {
    return false;
  }
  return committed.some((c) => c === p || c.startsWith(p + '/'));
}

export function describeArtifact(a: ArtifactInfo, format: AnnotationFormat = 'gto'): string {
  const parts: string[] = [];
  if (a.type) {
    parts.push(a.type);
  }
  if (a.path) {
    parts.push(a.path);
  }
  if (!a.virtual && format === 'gto') {
    parts.push('must exist');
  }
  return parts.join(' · ') || 'no type, no path';
}

/** The answers so far and what they imply (format, the entry they update, the step total), shared by the steps. */
class FlowState {
  readonly fixed: FollowUp | undefined;
  readonly choices: PickItem<string>[];
  readonly askFile: boolean;
  file: string;
  name: string;
  type: Maybe;
  path: Maybe;
  labels: string[] | undefined;
  description: string | undefined;
  mustExist: boolean;
  followUp: FollowUp;
  /** The file and artifact whose existing values were copied into the answers (so they are copied once). */
  private filledFrom = '';

  constructor(
    readonly prompter: Prompter,
    readonly input: AnnotateFlowInput,
  ) {
    const { context, prefill } = input;
    this.fixed = fixedFollowUp(input.afterAnnotate);
    this.choices = prefill.file ? [] : targetChoices(context, prefill.path ?? undefined);
    this.askFile = this.choices.length > 1;
    this.file = prefill.file ?? this.choices[0]?.value ?? annotationFiles(context)[0]?.file ?? indexRelative(context);
    this.name = prefill.name ?? '';
    this.type = prefill.type ?? NO_VALUE;
    this.path = prefill.path ?? NO_VALUE;
    this.labels = prefill.labels ? [...prefill.labels] : undefined;
    this.description = prefill.description ?? undefined;
    this.mustExist = prefill.virtual === false;
    this.followUp = this.fixed ?? 'none';
    if (prefill.name && this.existing()) {
      this.filledFrom = this.filledKey();
    }
  }

  get context(): RepositoryContext {
    return this.input.context;
  }
  format(): AnnotationFormat {
    return formatOf(this.context, this.file);
  }
  dvc(): boolean {
    return this.format() === 'dvc';
  }
  entries(): Record<string, ArtifactInfo> {
    return artifactsIn(this.context, this.file);
  }
  existing(): ArtifactInfo | undefined {
    return this.entries()[this.name];
  }
  full(name: string): string {
    return fullName(this.file, this.format(), name);
  }
  askMustExist(): boolean {
    return this.path !== NO_VALUE && this.path !== '' && !this.dvc();
  }
  /** The id, title and numbers every prompt shows. */
  header(id: string, n: number): { id: string; title: string; step: number; totalSteps: number } {
    const total = (this.askFile ? 1 : 0) + 5 + (this.askMustExist() ? 1 : 0) + (this.fixed === undefined ? 1 : 0);
    return { id, title: TITLE, step: n, totalSteps: total };
  }

  private filledKey(): string {
    return `${this.file}\0${this.name}`;
  }

  /** Copies the existing entry's values into the answers not given yet, once per file and name. */
  fillFromExisting(): void {
    const a = this.existing();
    if (!a || this.filledFrom === this.filledKey()) {
      return;
    }
    this.filledFrom = this.filledKey();
    if (this.type === NO_VALUE && a.type) {
      this.type = a.type;
    }
    if (this.path === NO_VALUE && a.path) {
      this.path = a.path;
    }
    if (this.labels === undefined) {
      this.labels = [...a.labels];
    }
    if (this.description === undefined && a.description) {
      this.description = a.description;
    }
    if (!a.virtual) {
      this.mustExist = true;
    }
  }

  answers(): AnnotateAnswers {
    const description = this.description?.trim() ? this.description : undefined;
    return {
      file: this.file,
      format: this.format(),
      name: this.name,
      fullName: this.full(this.name),
      type: asValue(this.type),
      path: asValue(this.path),
      mustExist: this.askMustExist() && this.mustExist,
      labels: this.labels ?? [],
      description,
      followUp: this.followUp,
    };
  }
}

/** The answer of an accepted prompt goes into the state; Back and Escape leave it. */
function keep<T>(r: StepResult<T>, set: (value: T) => void): StepResult<T> {
  if (r.kind === 'ok') {
    set(r.value);
  }
  return r;
}

async function askFile(s: FlowState, n: number): Promise<StepResult<string>> {
  const r = await s.prompter.pick<string>({
    ...s.header('file', n),
    placeholder: 'Annotate into which file? dvc.yaml is where DVC and GTO >= 0.3 read annotations',
    items: s.choices,
    active: s.file,
  });
  return keep(r, (file) => {
    s.file = file;
    s.fillFromExisting();
  });
}

async function askName(s: FlowState, n: number): Promise<StepResult<string>> {
  const dir = s.dvc() ? folderOf(s.file) : '';
  const r = await s.prompter.input({
    ...s.header('name', n),
    prompt:
      `Artifact name in ${s.file}: letters, numbers, "_", "-", "/"; starts and ends with a letter or a number` +
      (dir ? ` (its full name is ${dir}:NAME)` : ''),
    placeholder: 'e.g. rf or nlp/bert',
    value: s.name,
    validate: (v) => (v.trim() ? validateName(v.trim()) : 'Enter a name for the artifact.'),
    info: (v) => {
      const name = v.trim();
      const a = s.entries()[name];
      if (a) {
        return `'${s.full(name)}' is already annotated in ${s.file} (${describeArtifact(a, s.format())}): its annotation will be updated.`;
      }
      return dir && name ? `Full name: ${s.full(name)} (tags: ${dir}=${name}@v1.0.0)` : undefined;
    },
  });
  return keep(r, (name) => {
    s.name = name.trim();
    s.fillFromExisting();
  });
}

async function askType(s: FlowState, n: number): Promise<StepResult<Maybe>> {
  const { context } = s;
  const types = [...context.types];
  if (s.type !== NO_VALUE && !types.includes(s.type) && !context.typesRestricted) {
    types.unshift(s.type);
  }
  // .gto's `types` restrict artifacts.yaml only: DVC has no such list.
  const restricted = context.typesRestricted && !s.dvc();
  const kept = s.existing()?.type;
  const items: PickItem<Maybe>[] = [
    { label: 'No type', description: kept ? `keeps '${kept}'` : '', value: NO_VALUE },
    ...types.map((t) => ({ label: t, value: t as Maybe })),
  ];
  const r = await s.prompter.pick<Maybe>({
    ...s.header('type', n),
    placeholder: restricted
      ? `Artifact type (allowed by .gto: ${context.types.join(', ') || 'none'})`
      : 'Artifact type: pick one or type a new one',
    items,
    active: s.type,
    freeText: restricted ? undefined : { label: (t) => `New type: ${t}`, validate: (t) => validateName(t, 'type'), toValue: (t) => t },
  });
  return keep(r, (type) => (s.type = type));
}

async function askPath(s: FlowState, n: number): Promise<StepResult<Maybe>> {
  const { context } = s;
  const tracked = new Set(context.trackedFiles);
  const notArtifacts = new Set([...annotationFiles(context).map((f) => f.file), indexRelative(context), '.gto']);
  const paths = [...context.trackedFiles, ...context.untrackedFiles].filter((p) => !notArtifacts.has(p));
  if (s.path !== NO_VALUE && !paths.includes(s.path)) {
    paths.unshift(s.path);
  }
  const fileItems = paths.map((p) => ({
    label: p,
    description: tracked.has(p) ? (isCommitted(p, context.committed) ? '' : 'not committed') : 'untracked',
    value: p as Maybe,
  }));
  const kept = s.existing()?.path;
  // DVC requires a path: no "virtual" entry to pick in a dvc.yaml.
  const items: PickItem<Maybe>[] = s.dvc()
    ? fileItems
    : [
        { label: 'No path (virtual)', description: kept ? `keeps '${kept}'` : 'the artifact lives elsewhere', value: NO_VALUE },
        ...fileItems,
      ];
  const dir = s.dvc() ? folderOf(s.file) : '';
  const r = await s.prompter.pick<Maybe>({
    ...s.header('path', n),
    placeholder: s.dvc()
      ? `Artifact path (DVC requires one), relative to the repository root` + (dir ? `; ${s.file} stores it relative to ${dir}/` : '')
      : 'Artifact path, relative to the repository root (or a URL such as s3://bucket/model.pkl)',
    items,
    active: s.path,
    freeText: { label: (t) => `Use path: ${t}`, toValue: (t) => t },
  });
  return keep(r, (path) => (s.path = path));
}

async function askLabels(s: FlowState, n: number): Promise<StepResult<string[]>> {
  const current = s.labels ?? [];
  const known = [...new Set([...s.context.labels, ...current])];
  const kept = s.existing()?.labels ?? [];
  const r = await s.prompter.pickMany<string>({
    ...s.header('labels', n),
    placeholder: 'Labels: check known ones, type new ones separated by commas, then Enter',
    items: known.map((l) => ({ label: l, description: kept.includes(l) ? 'current' : '', value: l })),
    selected: current,
    freeText: { split: splitLabels, validate: (t) => validateName(t, 'label'), toValue: (t) => t },
  });
  return keep(r, (labels) => (s.labels = [...new Set(labels)]));
}

async function askDescription(s: FlowState, n: number): Promise<StepResult<string>> {
  const r = await s.prompter.input({
    ...s.header('description', n),
    prompt: s.dvc()
      ? 'Description, written as `desc` (optional; empty keeps the current one)'
      : 'Description (optional; empty keeps the current one)',
    placeholder: 'e.g. Random forest for churn',
    value: s.description ?? '',
  });
  return keep(r, (description) => (s.description = description));
}

async function askMustExist(s: FlowState, n: number): Promise<StepResult<boolean>> {
  const path = s.path as string;
  const committed = isCommitted(path, s.context.committed);
  const r = await s.prompter.pick<boolean>({
    ...s.header('mustExist', n),
    placeholder: `Must '${path}' be committed to git?`,
    items: [
      { label: 'Virtual', description: 'the path need not be in git (e.g. DVC-tracked or remote)', value: false },
      {
        label: 'Must exist',
        description: committed ? `'${path}' is committed in HEAD` : `'${path}' is not committed: GTO will refuse this`,
        value: true,
      },
    ],
    active: s.mustExist,
  });
  return keep(r, (mustExist) => (s.mustExist = mustExist));
}

async function askFollowUp(s: FlowState, n: number): Promise<StepResult<FollowUp>> {
  const name = s.full(s.name);
  const msg = annotateCommitMessage(name, asValue(s.type), asValue(s.path));
  const blocked = s.input.commitBlocked ? ` (${s.input.commitBlocked})` : '';
  const r = await s.prompter.pick<FollowUp>({
    ...s.header('followUp', n),
    placeholder: `Annotate '${name}'`,
    items: [
      { label: 'Annotate', description: `change ${s.file} in the editor`, value: 'none' },
      { label: 'Annotate and commit', description: msg + blocked, value: 'commit' },
      // Pushing needs the branch's upstream: a repository without one is offered no push.
      ...(s.context.pushRemote === null
        ? []
        : [{ label: 'Annotate, commit and push', description: blocked.trim(), value: 'commitAndPush' as const }]),
    ],
    active: s.followUp,
  });
  return keep(r, (followUp) => (s.followUp = followUp));
}

interface AnnotateStep {
  id: string;
  /** Asked only when this holds, decided when the step is reached; absent: always asked. */
  shown?: (s: FlowState) => boolean;
  /** Shows the prompt numbered `n` and keeps its answer. */
  ask: (s: FlowState, n: number) => Promise<StepResult<unknown>>;
}

/** The steps in order: which file only when there is a choice, must-exist only with a path in artifacts.yaml. */
const STEPS: readonly AnnotateStep[] = [
  { id: 'file', shown: (s) => s.askFile, ask: askFile },
  { id: 'name', ask: askName },
  { id: 'type', ask: askType },
  { id: 'path', ask: askPath },
  { id: 'labels', ask: askLabels },
  { id: 'description', ask: askDescription },
  { id: 'mustExist', shown: (s) => s.askMustExist(), ask: askMustExist },
  { id: 'followUp', shown: (s) => s.fixed === undefined, ask: askFollowUp },
];

export async function runAnnotateFlow(prompter: Prompter, input: AnnotateFlowInput): Promise<AnnotateAnswers | undefined> {
  const state = new FlowState(prompter, input);
  const steps: FlowStep[] = STEPS.map((step) => ({
    id: step.id,
    shown: () => step.shown?.(state) ?? true,
    run: (n) => step.ask(state, n),
  }));
  return (await runSteps(steps)) ? state.answers() : undefined;
}

function asValue(v: Maybe): string | undefined {
  return v === NO_VALUE || v === '' ? undefined : v;
}
