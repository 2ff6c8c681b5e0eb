/**
 * The gto-lsp server's workspace/executeCommand contract, as the client uses it.
 * Every command takes one object argument and answers `{ok, message, ...}`; user errors come back as
 * `ok: false` with a message, never as a JSON-RPC error.
 */

export const SERVER_COMMANDS = {
  context: 'gto.server.context',
  validateName: 'gto.server.validateName',
  annotate: 'gto.server.annotate',
  remove: 'gto.server.remove',
  commit: 'gto.server.commit',
  registryState: 'gto.server.registryState',
  register: 'gto.server.register',
  assign: 'gto.server.assign',
  deprecate: 'gto.server.deprecate',
  pushTags: 'gto.server.pushTags',
  migrate: 'gto.server.migrate',
  registry: 'gto.server.registry',
  artifactVersions: 'gto.server.artifactVersions',
  versionDetails: 'gto.server.versionDetails',
  history: 'gto.server.history',
  gitFile: 'gto.server.gitFile',
} as const satisfies Record<ServerCommand, `gto.server.${string}`>;

export interface ServerResult {
  ok: boolean;
  message: string;
  /** Where the problem is and how to fix it, when the server knows (GTO's own message stays in `message`). */
  detail?: string;
}

/** GTO's message, then the server's hint on where and how to fix it. */
export function fullMessage(res: ServerResult): string {
  return res.detail ? `${res.message} ${res.detail}` : res.message;
}

export interface ArtifactInfo {
  type?: string | null;
  path?: string | null;
  virtual: boolean;
  labels: string[];
  description?: string | null;
  custom?: unknown;
}

export interface RegistryInfo {
  latest: string | null;
  stages: Record<string, string>;
  deprecated: boolean;
}

/** GTO's legacy `artifacts.yaml` (top-level entries) or DVC's `dvc.yaml` (the `artifacts:` section). */
export type AnnotationFormat = 'gto' | 'dvc';

/** A file that holds (or may hold) annotations: artifacts.yaml, every dvc.yaml, and the root dvc.yaml even when missing. */
export interface AnnotationFile {
  /** Repository-relative posix path: "artifacts.yaml", "dvc.yaml", "sub/dir/dvc.yaml". */
  file: string;
  format: AnnotationFormat;
  exists: boolean;
  /** How many artifacts it declares. */
  artifacts: number;
  /** Differs from HEAD, when the server says (optional: without it the client offers every existing file to commit). */
  dirty?: boolean;
}

/**
 * An entry of a dvc.yaml: `description`/`custom` carry DVC's `desc`/`meta`; `virtual` is always true (DVC has no
 * such field); `path` is repository-relative (the server joins it to the dvc.yaml's folder).
 */
export interface DvcArtifactInfo extends ArtifactInfo {
  /** DVC's full name: `name` in the root dvc.yaml, `sub/dir:name` in sub/dir/dvc.yaml. */
  fullName: string;
}

export interface RepositoryContext extends ServerResult {
  root: string;
  indexPath: string;
  trusted: boolean;
  types: string[];
  typesRestricted: boolean;
  labels: string[];
  trackedFiles: string[];
  untrackedFiles: string[];
  artifacts: Record<string, ArtifactInfo>;
  registry: Record<string, RegistryInfo>;
  committed: string[];
  hasHead: boolean;
  branch: string | null;
  /** artifacts.yaml (indexPath) differs from HEAD. */
  dirty: boolean;
  /** The remote a commit's push goes to (the branch's upstream); null: none, so no push is offered. */
  pushRemote?: string | null;
  /** Absent from servers without dvc.yaml support: then artifacts.yaml is the only file. */
  annotationFiles?: AnnotationFile[];
  /** Where the repository already annotates (one of annotationFiles' `file`); the server decides. */
  defaultFile?: string;
  /** file -> name -> entry, for every dvc.yaml. */
  dvcArtifacts?: Record<string, Record<string, DvcArtifactInfo>>;
}

export interface AnnotateParams {
  repository: string;
  name: string;
  type?: string;
  path?: string;
  must_exist?: boolean;
  allow_same_path?: boolean;
  labels?: string[];
  description?: string;
  custom?: string;
  /** Repository-relative target file (a dvc.yaml); absent: artifacts.yaml. `path` stays repository-relative. */
  file?: string;
}

export interface RemoveParams {
  repository: string;
  name: string;
  /** As in AnnotateParams. */
  file?: string;
}

export interface EditResult extends ServerResult {
  uri?: string;
  applied?: boolean;
}

export interface CommitParams {
  repository: string;
  name: string;
  action: 'annotate' | 'remove';
  type?: string;
  path?: string;
  push?: boolean;
  /** Commit only this repository-relative file; absent: artifacts.yaml. */
  file?: string;
}

export interface CommitResult extends ServerResult {
  sha?: string;
  pushed?: boolean;
  /** What the commit holds, read back from git after the hooks ran. */
  files?: string[];
  /** Files a commit hook added besides the one asked for (then `message` says so). */
  otherFiles?: string[];
}

/** What the server's code actions pass to the client's `gto.annotate` command. */
export interface AnnotatePrefill {
  repository?: string;
  name?: string;
  type?: string | null;
  path?: string | null;
  labels?: string[];
  description?: string | null;
  virtual?: boolean;
  /** The target file (repository-relative): given, the client does not ask which file. */
  file?: string;
}

/** What the server's code actions pass to the client's `gto.remove` command. */
export interface RemovePrefill {
  repository?: string;
  name?: string;
  file?: string;
}

/** How `gto register` picks the next version: a bump of the highest active version, or one given. */
export type Bump = 'patch' | 'minor' | 'major';

export interface RegistryVersion {
  /** `v1.2.0`, or the commit sha of a commit that has a stage but no version tag. */
  version: string;
  commit: string;
  active: boolean;
  /** Active stages of this version. */
  stages: string[];
}

/** A tag the server would create (a dry run) or created: its name and GTO's message. */
export interface PlannedTag {
  tag: string;
  message: string;
}

/** `gto.server.registryState`: one artifact's registry state and what each action would create. */
export interface RegistryState extends ServerResult {
  name: string;
  /** The name as tags spell it (`sub/dir=name`). */
  tagName: string;
  registered: boolean;
  latest: string | null;
  stages: Record<string, string>;
  deprecated: boolean;
  /** Highest SemVer first, deregistered ones included (active: false). */
  versions: RegistryVersion[];
  /** The version `register` would create per bump, by GTO's rule; absent where GTO refuses the bump. */
  next: Partial<Record<Bump, string>>;
  /** GTO's default: a patch bump, or v0.0.1 for the first version. */
  defaultVersion: string;
  /** The stages to offer: `.gto`'s `stages:` when it lists them (then no other is allowed), else those in use. */
  stageChoices: string[];
  stagesRestricted: boolean;
  /** HEAD's commit and the active version already registered there (register at HEAD is then refused). */
  head: { commit: string | null; version: string | null };
  /** The tag `register` would create at HEAD per bump (absent where refused). */
  registerTags: Partial<Record<Bump, string>>;
  /** Where pushed tags go (the branch's remote, else origin); null: the repository has no remote. */
  remote?: string | null;
}

export interface RegisterParams {
  repository: string;
  name: string;
  version?: string;
  bump?: Bump;
  /** Commit to register (default HEAD). */
  ref?: string;
  message?: string;
  push?: boolean;
  /** Plan only: answer what would be created (or GTO's refusal) without creating anything. */
  dryRun?: boolean;
}

export interface AssignParams {
  repository: string;
  name: string;
  stage: string;
  /** The version to assign; absent: the one at `ref` (HEAD), registered first when it has none. */
  version?: string;
  ref?: string;
  force?: boolean;
  push?: boolean;
  dryRun?: boolean;
}

/** Deprecate the artifact (no version), deregister a version (version), or unassign a stage (version + stage). */
export interface DeprecateParams {
  repository: string;
  name: string;
  version?: string;
  stage?: string;
  force?: boolean;
  push?: boolean;
  dryRun?: boolean;
}

export interface RegistryWriteResult extends ServerResult {
  /** The tag created (or, in a dry run, to be created): the last one when an assign registers first. */
  tag?: string;
  /** Every tag, in creation order, with its message. */
  tags?: PlannedTag[];
  pushed?: boolean;
  /** Created, but the push failed: why. */
  pushError?: string;
}

export interface PushTagsParams {
  repository: string;
  tags: string[];
}

/** Each server command (by its key in SERVER_COMMANDS): its one object argument and its answer. */
export interface ServerCommands {
  context: { arg: { repository: string }; answer: RepositoryContext };
  validateName: { arg: { name: string }; answer: ServerResult };
  annotate: { arg: AnnotateParams; answer: EditResult };
  remove: { arg: RemoveParams; answer: EditResult };
  commit: { arg: CommitParams; answer: CommitResult };
  registryState: { arg: { repository: string; name: string }; answer: RegistryState };
  register: { arg: RegisterParams; answer: RegistryWriteResult };
  assign: { arg: AssignParams; answer: RegistryWriteResult };
  deprecate: { arg: DeprecateParams; answer: RegistryWriteResult };
  pushTags: { arg: PushTagsParams; answer: RegistryWriteResult };
  migrate: { arg: MigrateParams; answer: MigrateResult };
  registry: { arg: { repository: string }; answer: RegistryOverview };
  artifactVersions: { arg: { repository: string; name: string }; answer: ArtifactVersions };
  versionDetails: { arg: { repository: string; name: string; version: string }; answer: VersionDetails };
  history: { arg: { repository: string; name?: string }; answer: HistoryResult };
  gitFile: { arg: GitFileParams; answer: GitFileResult };
}

export type ServerCommand = keyof ServerCommands;

/**
 * The calls the client makes, each one `execute` of a server command: implemented over the LanguageClient
 * (vscode/server.ts), faked in unit tests (client/test/fakes.ts).
 */
export abstract class ServerApi {
  abstract execute<K extends ServerCommand>(command: K, arg: ServerCommands[K]['arg']): Promise<ServerCommands[K]['answer']>;

  context(repository: string): Promise<RepositoryContext> {
    return this.execute('context', { repository });
  }
  validateName(name: string): Promise<ServerResult> {
    return this.execute('validateName', { name });
  }
  annotate(params: AnnotateParams): Promise<EditResult> {
    return this.execute('annotate', params);
  }
  remove(params: RemoveParams): Promise<EditResult> {
    return this.execute('remove', params);
  }
  commit(params: CommitParams): Promise<CommitResult> {
    return this.execute('commit', params);
  }
  registryState(repository: string, name: string): Promise<RegistryState> {
    return this.execute('registryState', { repository, name });
  }
  register(params: RegisterParams): Promise<RegistryWriteResult> {
    return this.execute('register', params);
  }
  assign(params: AssignParams): Promise<RegistryWriteResult> {
    return this.execute('assign', params);
  }
  deprecate(params: DeprecateParams): Promise<RegistryWriteResult> {
    return this.execute('deprecate', params);
  }
  pushTags(params: PushTagsParams): Promise<RegistryWriteResult> {
    return this.execute('pushTags', params);
  }
  migrate(params: MigrateParams): Promise<MigrateResult> {
    return this.execute('migrate', params);
  }
  registry(repository: string): Promise<RegistryOverview> {
    return this.execute('registry', { repository });
  }
  artifactVersions(repository: string, name: string): Promise<ArtifactVersions> {
    return this.execute('artifactVersions', { repository, name });
  }
  versionDetails(repository: string, name: string, version: string): Promise<VersionDetails> {
    return this.execute('versionDetails', { repository, name, version });
  }
  history(repository: string, name?: string): Promise<HistoryResult> {
    return this.execute('history', name === undefined ? { repository } : { repository, name });
  }
  gitFile(params: GitFileParams): Promise<GitFileResult> {
    return this.execute('gitFile', params);
  }
}

/** What the server's code lens passes to the client's `gto.register` / `gto.assign` / `gto.deprecate`. */
export interface RegistryPrefill {
  repository?: string;
  /** The full name (`sub/dir:name` for a nested dvc.yaml). */
  name?: string;
}

/** `gto.server.migrate`: moves artifacts.yaml's entries to the root dvc.yaml (given the repository or the file's uri). */
export interface MigrateParams {
  repository?: string;
  uri?: string;
  /** Only the summary: nothing is changed. */
  dryRun?: boolean;
}

/** `message` is the summary: what moves, what is dropped, what stays. */
export interface MigrateResult extends ServerResult {
  applied: boolean;
}

// ------------------------------------------------------------------------------------------- the Registry view

/** The server's notification (server -> client) when a repository's GTO tags changed on disk. */
export const REGISTRY_CHANGED = 'gto/registryChanged';

export interface RegistryChangedParams {
  repository: string;
}

/** An LSP range: 0-based lines, UTF-16 characters. */
export interface LspRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

/** Where an annotations file declares an artifact (from the working tree, unsaved text included). */
export interface AnnotationPlace {
  /** Repository-relative path of artifacts.yaml or a dvc.yaml. */
  file: string;
  uri: string;
  /** The range of the entry's name. */
  range: LspRange;
}

export interface RegistryArtifact {
  name: string;
  tagName: string;
  registered: boolean;
  deprecated: boolean;
  latest: string | null;
  /** stage -> version, as `gto show` prints them. */
  stages: Record<string, string>;
  /** Active registered versions. */
  versionCount: number;
  type: string | null;
  path: string | null;
  description: string | null;
  labels: string[];
  /** [] for an artifact that only has tags. */
  annotations: AnnotationPlace[];
}

/** `gto.server.registry`: every artifact with GTO tags and every artifact of every annotations file. */
export interface RegistryOverview extends ServerResult {
  repository: string;
  head: string | null;
  /** GTO cannot read this registry: GTO's message. */
  error: string | null;
  /** The stage columns: .gto's `stages:` when set, else every stage in use. */
  stages: string[];
  stagesRestricted: boolean;
  remote: string | null;
  /** Sorted by name. */
  artifacts: RegistryArtifact[];
}

export type RegistryEventKind = 'register' | 'deregister' | 'assign' | 'unassign' | 'deprecate';

export interface RegistryEvent {
  kind: RegistryEventKind;
  /** Unix seconds. */
  time: number;
  commit: string;
  version: string | null;
  stage: string | null;
  /** The tag's name. */
  tag: string;
  tagger: string | null;
  taggerEmail: string | null;
  /** The tag's message. */
  message: string | null;
}

export interface VersionDetail {
  /** `v1.2.0`, or a commit sha for a commit with a stage and no version tag. */
  version: string;
  commit: string;
  active: boolean;
  registered: boolean;
  stages: string[];
  /** Unix seconds. */
  createdAt: number;
  /** This version's tag events, newest first. */
  events: RegistryEvent[];
}

/** `gto.server.artifactVersions`: highest SemVer first (deregistered included), then sha-named versions. */
export interface ArtifactVersions extends ServerResult {
  name: string;
  versions: VersionDetail[];
  /** Every tag event of the artifact, newest first (deprecations included). */
  events: RegistryEvent[];
}

export interface ScalarFile {
  file: string;
  /** dotted.key -> scalar */
  values: Record<string, unknown>;
}

/** `gto.server.versionDetails`: the commit of a version and what the repository held there. */
export interface VersionDetails extends ServerResult {
  name: string;
  version: string;
  commit: string;
  author: string;
  authorEmail: string;
  /** Unix seconds. */
  date: number;
  subject: string;
  body: string;
  /** The artifact's GTO tags on that commit. */
  tags: string[];
  annotation: { file: string; fields: Record<string, unknown> } | null;
  metrics: ScalarFile[];
  params: ScalarFile[];
  /** A ready hover text. */
  markdown: string;
  /** A plain rendering of annotation, metrics and params (stable key order), for a side-by-side diff. */
  text: string;
}

/** One object of `gto history [NAME] --json` (GTO 1.10.1): same keys, newest first. */
export interface HistoryRow {
  /** ISO 8601 as GTO prints it (a number of Unix seconds is read too). */
  timestamp: string | number;
  artifact: string;
  /** registration, deregistration, assignment, unassignment, deprecation */
  event: string;
  priority: number;
  version: string | null;
  stage: string | null;
  commit: string;
  author: string | null;
  author_email: string | null;
  message: string | null;
  /** The tag name (or the commit for a commit event). */
  ref: string;
}

export interface HistoryResult extends ServerResult {
  rows: HistoryRow[];
}

export interface GitFileParams {
  repository: string;
  commit: string;
  /** Repository-relative. */
  path: string;
}

export interface GitFileResult extends ServerResult {
  text: string;
}
