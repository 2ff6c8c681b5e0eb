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
} as const;

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

/** The calls the client makes; implemented over the LanguageClient, faked in unit tests. */
export interface ServerApi {
  context(repository: string): Promise<RepositoryContext>;
  validateName(name: string): Promise<ServerResult>;
  annotate(params: AnnotateParams): Promise<EditResult>;
  remove(params: RemoveParams): Promise<EditResult>;
  commit(params: CommitParams): Promise<CommitResult>;
}
