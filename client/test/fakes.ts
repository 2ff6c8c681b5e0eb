/** Fakes for the pure modules' tests: a scripted Prompter, a recording ServerApi and Ui. */
import { PendingChanges, type ActionDeps } from '../src/common/actions';
import type { RegistryUi } from '../src/common/registryFlow';
import { ServerApi, type ServerCommand, type ServerCommands } from '../src/common/contract';
import type {
  ArtifactVersions,
  CommitResult,
  EditResult,
  GitFileResult,
  HistoryResult,
  RegistryArtifact,
  RegistryEvent,
  RegistryOverview,
  RegistryState,
  RegistryWriteResult,
  RepositoryContext,
  ServerResult,
  VersionDetail,
  VersionDetails,
} from '../src/common/contract';
import type { InputStep, PickManyStep, PickStep, Prompter, StepResult } from '../src/common/prompter';
import type { ClientSettings } from '../src/common/settings';

export type Answer =
  | StepResult<unknown>
  | Typed
  | ((step: InputStep | PickStep<unknown> | PickManyStep<unknown>) => StepResult<unknown>);

/** Text typed into an input box or a pick's free-text item, then Enter: refused (the prompt stays open) or used. */
export interface Typed {
  kind: 'typed';
  text: string;
}
export const typed = (text: string): Typed => ({ kind: 'typed', text });

/** The annotate prompts' answers for `rf` (a model at models/rf.pkl, virtual), then `followUp`. */
export const rfScript = (followUp: string): Answer[] => [
  ok('rf'),
  label('model'),
  label('models/rf.pkl'),
  ok([]),
  ok(''),
  label('Virtual'),
  label(followUp),
];

export interface Shown {
  id: string;
  step: number;
  totalSteps: number;
  kind: 'input' | 'pick' | 'pickMany';
  raw: InputStep | PickStep<unknown> | PickManyStep<unknown>;
}

export const ok = <T>(value: T): StepResult<T> => ({ kind: 'ok', value });
export const back: StepResult<never> = { kind: 'back' };
export const cancel: StepResult<never> = { kind: 'cancel' };
/** Accept what the step starts with (its value, active item or selection). */
export const accept = (s: InputStep | PickStep<unknown> | PickManyStep<unknown>): StepResult<unknown> => {
  if ('items' in s) {
    if ('selected' in s || (s as PickManyStep<unknown>).freeText?.split) {
      return ok((s as PickManyStep<unknown>).selected ?? []);
    }
    const p = s as PickStep<unknown>;
    const active = p.items.find((i) => i.value === p.active) ?? p.items[0];
    return ok(active?.value);
  }
  return ok((s as InputStep).value ?? '');
};
/** Pick the item with this label. */
export const label = (l: string) => (s: InputStep | PickStep<unknown> | PickManyStep<unknown>): StepResult<unknown> => {
  const item = (s as PickStep<unknown>).items.find((i) => i.label === l);
  if (!item) {
    throw new Error(`step ${s.id}: no item '${l}' in ${(s as PickStep<unknown>).items.map((i) => i.label).join(', ')}`);
  }
  return ok(item.value);
};

export class ScriptedPrompter implements Prompter {
  readonly shown: Shown[] = [];
  /** Typed text a prompt refused, with the message shown under it (the prompt stayed open). */
  readonly refused: { id: string; text: string; message: string }[] = [];
  constructor(private readonly script: Answer[]) {}

  private next(kind: Shown['kind'], raw: InputStep | PickStep<unknown> | PickManyStep<unknown>): StepResult<unknown> {
    this.shown.push({ id: raw.id, step: raw.step, totalSteps: raw.totalSteps, kind, raw });
    for (;;) {
      const a = this.script.shift();
      if (!a) {
        throw new Error(`no scripted answer for step '${raw.id}'`);
      }
      if (typeof a === 'function') {
        return a(raw);
      }
      if (a.kind !== 'typed') {
        return a;
      }
      // As the real prompts do: a refused text shows its message and the same prompt takes the next answer.
      const free = 'items' in raw ? (raw as PickStep<unknown>).freeText : undefined;
      const validate = free ? free.validate : 'items' in raw ? undefined : (raw as InputStep).validate;
      const message = validate?.(a.text);
      if (message) {
        this.refused.push({ id: raw.id, text: a.text, message });
        continue;
      }
      return ok(free ? free.toValue(a.text) : a.text);
    }
  }
  async input(step: InputStep): Promise<StepResult<string>> {
    const r = this.next('input', step) as StepResult<string>;
    if (r.kind === 'ok' && step.validate?.(r.value)) {
      throw new Error(`step ${step.id}: '${r.value}' would be refused: ${step.validate(r.value)}`);
    }
    return r;
  }
  async pick<T>(step: PickStep<T>): Promise<StepResult<T>> {
    return this.next('pick', step as PickStep<unknown>) as StepResult<T>;
  }
  async pickMany<T>(step: PickManyStep<T>): Promise<StepResult<T[]>> {
    return this.next('pickMany', step as PickManyStep<unknown>) as StepResult<T[]>;
  }
  get ids(): string[] {
    return this.shown.map((s) => s.id);
  }
}

export function makeContext(over: Partial<RepositoryContext> = {}): RepositoryContext {
  return {
    ok: true,
    message: '',
    root: '/repo',
    indexPath: '/repo/artifacts.yaml',
    trusted: true,
    types: ['dataset', 'model'],
    typesRestricted: false,
    labels: ['prod', 'tabular'],
    trackedFiles: ['.gto', 'artifacts.yaml', 'models', 'models/rf.pkl', 'data/train.csv'],
    untrackedFiles: ['models/new.pt'],
    artifacts: {
      nn: { type: 'model', path: 'models/nn.pt', virtual: true, labels: ['prod'], description: 'Neural net' },
    },
    registry: {},
    committed: ['models/rf.pkl', 'data/train.csv'],
    hasHead: true,
    branch: 'main',
    dirty: false,
    ...over,
  };
}

/** Records every server command (a dry run of a write as `register?` etc.) and answers what the test set. */
export class FakeServer extends ServerApi {
  readonly calls: { command: string; arg: unknown }[] = [];
  contextResult: RepositoryContext = makeContext();
  annotateResult: EditResult = { ok: true, message: 'Updated `artifacts.yaml`', uri: 'file:///repo/artifacts.yaml', applied: true };
  removeResult: EditResult = { ok: true, message: 'Updated `artifacts.yaml`', uri: 'file:///repo/artifacts.yaml', applied: true };
  commitResult: CommitResult = { ok: true, message: 'committed', sha: '1a2b3c4d5e6f', pushed: false };
  stateResult: RegistryState = makeRegistryState();
  /** The answer to register/assign/deprecate; a function sees the call's params (dry runs included). */
  writeResult: RegistryWriteResult | ((command: string, params: { dryRun?: boolean; force?: boolean }) => RegistryWriteResult) = (
    _command,
    params,
  ) => ({
    ok: true,
    message: params.dryRun ? '' : `Created git tag 'rf@v1.3.1' that registers version`,
    tag: 'rf@v1.3.1',
    tags: [{ tag: 'rf@v1.3.1', message: 'Registering artifact rf version v1.3.1' }],
    pushed: false,
  });
  pushResult: RegistryWriteResult = { ok: true, message: "Pushed 'rf@v1.3.1' to origin", pushed: true };
  /** The Registry view's answers: the overview per repository (else `overview`), versions per artifact name. */
  overview: RegistryOverview = makeOverview();
  overviews: Record<string, RegistryOverview> = {};
  versions: Record<string, ArtifactVersions> = { rf: makeVersions() };
  details = (name: string, version: string): VersionDetails => makeDetails(name, version);
  historyResult: HistoryResult = { ok: true, message: '', rows: [] };
  gitFileResult = (path: string, commit: string): GitFileResult => ({ ok: true, message: '', text: `${path} at ${commit}\n` });

  async execute<K extends ServerCommand>(command: K, arg: ServerCommands[K]['arg']): Promise<ServerCommands[K]['answer']> {
    return this.answer(command, arg) as ServerCommands[K]['answer'];
  }
  private answer(command: ServerCommand, arg: object): ServerResult {
    const write = command === 'register' || command === 'assign' || command === 'deprecate';
    const params = arg as { dryRun?: boolean; force?: boolean };
    this.calls.push({ command: write && params.dryRun ? `${command}?` : command, arg });
    switch (command) {
      case 'context':
        return this.contextResult;
      case 'validateName':
        return { ok: true, message: '' };
      case 'annotate':
        return this.annotateResult;
      case 'remove':
        return this.removeResult;
      case 'commit':
        return this.commitResult;
      case 'registryState':
        return this.stateResult;
      case 'register':
      case 'assign':
      case 'deprecate':
        return typeof this.writeResult === 'function' ? this.writeResult(command, params) : this.writeResult;
      case 'pushTags':
        return this.pushResult;
      case 'registry': {
        const repository = (arg as { repository: string }).repository;
        return this.overviews[repository] ?? this.overview;
      }
      case 'artifactVersions': {
        const name = (arg as { name: string }).name;
        return this.versions[name] ?? { ok: false, message: `GTO: artifact '${name}' not found`, name, versions: [], events: [] };
      }
      case 'versionDetails': {
        const a = arg as { name: string; version: string };
        return this.details(a.name, a.version);
      }
      case 'history':
        return this.historyResult;
      case 'gitFile': {
        const a = arg as { path: string; commit: string };
        return this.gitFileResult(a.path, a.commit);
      }
      default:
        throw new Error(`FakeServer: ${command} is not faked`);
    }
  }
  commands(): string[] {
    return this.calls.map((c) => c.command);
  }
}

/** rf: v1.3.0 (latest, staging) and v1.2.0 (prod) active, HEAD unregistered; `.gto` lists no stages. */
export function makeRegistryState(over: Partial<RegistryState> = {}): RegistryState {
  return {
    ok: true,
    message: '',
    name: 'rf',
    tagName: 'rf',
    registered: true,
    latest: 'v1.3.0',
    stages: { prod: 'v1.2.0', staging: 'v1.3.0' },
    deprecated: false,
    versions: [
      { version: 'v1.3.0', commit: 'c2'.padEnd(40, '0'), active: true, stages: ['staging'] },
      { version: 'v1.2.0', commit: 'c1'.padEnd(40, '0'), active: true, stages: ['prod'] },
    ],
    next: { patch: 'v1.3.1', minor: 'v1.4.0', major: 'v2.0.0' },
    defaultVersion: 'v1.3.1',
    stageChoices: ['prod', 'staging'],
    stagesRestricted: false,
    head: { commit: 'c3'.padEnd(40, '0'), version: null },
    registerTags: { patch: 'rf@v1.3.1', minor: 'rf@v1.4.0', major: 'rf@v2.0.0' },
    remote: 'origin',
    ...over,
  };
}

export class FakeUi implements RegistryUi {
  /** The button infoWith answers (undefined: dismissed). */
  button: string | undefined = undefined;
  readonly progressTitles: string[] = [];
  /** Modal questions asked, and the answer they get (true: the action button). */
  readonly confirms: string[] = [];
  confirmAnswer = true;
  async confirm(message: string, button: string): Promise<boolean> {
    this.confirms.push(`${message} [${button}]`);
    return this.confirmAnswer;
  }
  async infoWith(message: string, ...buttons: string[]): Promise<string | undefined> {
    this.infos.push(`${message} [${buttons.join('|')}]`);
    return this.button;
  }
  async progress<T>(title: string, work: () => Promise<T>): Promise<T> {
    this.progressTitles.push(title);
    return work();
  }
  readonly infos: string[] = [];
  readonly errors: string[] = [];
  readonly saved: string[] = [];
  saveResult = true;
  /** Every document is unsaved... */
  dirty = false;
  /** ...or just these. */
  dirtyPaths: string[] = [];
  isDirty(pathOrUri: string): boolean {
    return this.dirty || this.dirtyPaths.includes(pathOrUri);
  }
  info(m: string): void {
    this.infos.push(m);
  }
  error(m: string): void {
    this.errors.push(m);
  }
  async save(p: string): Promise<boolean> {
    this.saved.push(p);
    return this.saveResult;
  }
}

/**
 * A repository that annotates in dvc.yaml (the server's default) and still has artifacts.yaml: `nn` is in both,
 * `rf` only in the root dvc.yaml, `clf` in sub/dir/dvc.yaml (full name sub/dir:clf; `model.pkl` in the file, repository-relative in the context).
 */
export function makeDvcContext(over: Partial<RepositoryContext> = {}): RepositoryContext {
  return makeContext({
    trackedFiles: [
      '.gto',
      'artifacts.yaml',
      'dvc.yaml',
      'params.yaml',
      'models',
      'models/rf.pkl',
      'data/train.csv',
      'sub/dir/dvc.yaml',
      'sub/dir/model.pkl',
      'sub/dir/deep/weights.pt',
    ],
    committed: ['models/rf.pkl', 'data/train.csv', 'sub/dir/model.pkl'],
    annotationFiles: [
      { file: 'artifacts.yaml', format: 'gto', exists: true, artifacts: 1 },
      { file: 'dvc.yaml', format: 'dvc', exists: true, artifacts: 2 },
      { file: 'sub/dir/dvc.yaml', format: 'dvc', exists: true, artifacts: 1 },
    ],
    defaultFile: 'dvc.yaml',
    dvcArtifacts: {
      'dvc.yaml': {
        nn: { type: 'model', path: 'models/nn.pt', virtual: true, labels: [], description: 'NN in DVC', fullName: 'nn' },
        rf: { type: 'model', path: 'models/rf.pkl', virtual: true, labels: ['tabular'], description: 'RF', fullName: 'rf' },
      },
      'sub/dir/dvc.yaml': {
        clf: { type: 'model', path: 'sub/dir/model.pkl', virtual: true, labels: [], description: null, fullName: 'sub/dir:clf' },
      },
    },
    ...over,
  });
}

/** The commands' dependencies over the fakes: a scripted prompter, a recording server and UI. */
export function makeDeps(script: Answer[], over: Partial<ActionDeps> = {}, settings: Partial<ClientSettings> = {}) {
  const server = new FakeServer();
  const ui = new FakeUi();
  const prompter = new ScriptedPrompter(script);
  const d: ActionDeps = {
    server,
    ui,
    prompter,
    pending: new PendingChanges(),
    settings: { interpreter: [], afterAnnotate: 'ask', gitEnabled: true, ...settings },
    trusted: true,
    ...over,
  };
  return { d, server, ui, prompter };
}

// ------------------------------------------------------------------------------------------- the Registry view

export function makeArtifact(over: Partial<RegistryArtifact> = {}): RegistryArtifact {
  return {
    name: 'rf',
    tagName: 'rf',
    registered: true,
    deprecated: false,
    latest: 'v1.3.0',
    stages: { staging: 'v1.3.0', prod: 'v1.2.0' },
    versionCount: 2,
    type: 'model',
    path: 'models/rf.pkl',
    description: 'Random forest',
    labels: ['tabular'],
    annotations: [
      { file: 'artifacts.yaml', uri: 'file:///repo/artifacts.yaml', range: { start: { line: 3, character: 0 }, end: { line: 3, character: 2 } } },
    ],
    ...over,
  };
}

/**
 * /repo: rf (model, v1.3.0 staging, v1.2.0 prod), data (a dataset, annotated, never registered), old (deprecated),
 * legacy (only in tags, v0.1.0 in prod); `.gto` lists no stages.
 */
export function makeOverview(over: Partial<RegistryOverview> = {}): RegistryOverview {
  return {
    ok: true,
    message: '',
    repository: '/repo',
    head: 'c3'.padEnd(40, '0'),
    error: null,
    stages: ['prod', 'staging'],
    stagesRestricted: false,
    remote: 'origin',
    artifacts: [
      makeArtifact({ name: 'data', tagName: 'data', registered: false, latest: null, stages: {}, versionCount: 0, type: 'dataset', path: 'data/train.csv', description: null, labels: [] }),
      makeArtifact({ name: 'legacy', tagName: 'legacy', latest: 'v0.1.0', stages: { prod: 'v0.1.0' }, versionCount: 1, type: null, path: null, description: null, labels: [], annotations: [] }),
      makeArtifact({ name: 'old', tagName: 'old', deprecated: true, latest: null, stages: {}, versionCount: 0, labels: ['tabular'] }),
      makeArtifact(),
    ],
    ...over,
  };
}

export const T = 1767607200; // 2026-01-05 10:00:00 UTC

export function makeEvent(over: Partial<RegistryEvent> = {}): RegistryEvent {
  return {
    kind: 'register',
    time: T,
    commit: 'c1'.padEnd(40, '0'),
    version: 'v1.2.0',
    stage: null,
    tag: 'rf@v1.2.0',
    tagger: 'Demo User',
    taggerEmail: 'demo@example.com',
    message: 'Registering artifact rf version v1.2.0',
    ...over,
  };
}

/** rf: v1.3.0 (staging; registered a day after v1.2.0), v1.2.0 (prod, assigned two days later), v1.1.0 deregistered. */
export function makeVersions(): ArtifactVersions {
  const c = (n: number): string => `c${n}`.padEnd(40, '0');
  const v120 = [
    makeEvent({ kind: 'assign', time: T + 3 * 86400, stage: 'prod', tag: 'rf#prod#1', message: 'Assigning stage prod to artifact rf version v1.2.0' }),
    makeEvent(),
  ];
  const v130 = [makeEvent({ time: T + 86400, commit: c(2), version: 'v1.3.0', tag: 'rf@v1.3.0', message: 'Registering artifact rf version v1.3.0' })];
  const staging = makeEvent({ kind: 'assign', time: T + 4 * 86400, commit: c(2), version: 'v1.3.0', stage: 'staging', tag: 'rf#staging#2', message: null });
  const v110 = [
    makeEvent({ kind: 'deregister', time: T + 2 * 86400, commit: c(0), version: 'v1.1.0', tag: 'rf@v1.1.0!', tagger: 'Ops', message: 'Deregistering' }),
    makeEvent({ time: T - 86400, commit: c(0), version: 'v1.1.0', tag: 'rf@v1.1.0', message: null }),
  ];
  const versions: VersionDetail[] = [
    { version: 'v1.3.0', commit: c(2), active: true, registered: true, stages: ['staging'], createdAt: T + 86400, events: [staging, ...v130] },
    { version: 'v1.2.0', commit: c(1), active: true, registered: true, stages: ['prod'], createdAt: T, events: v120 },
    { version: 'v1.1.0', commit: c(0), active: false, registered: true, stages: [], createdAt: T - 86400, events: v110 },
  ];
  const events = [...versions.flatMap((v) => v.events)].sort((a, b) => b.time - a.time);
  return { ok: true, message: '', name: 'rf', versions, events };
}

export function makeDetails(name: string, version: string): VersionDetails {
  return {
    ok: true,
    message: '',
    name,
    version,
    commit: 'c1'.padEnd(40, '0'),
    author: 'Demo User',
    authorEmail: 'demo@example.com',
    date: T,
    subject: 'Train',
    body: '',
    tags: [`${name}@${version}`],
    annotation: { file: 'artifacts.yaml', fields: { type: 'model' } },
    metrics: [],
    params: [],
    markdown: `**${name} ${version}**`,
    text: `version: ${version}\ntype: model\n`,
  };
}
