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
  dirty: boolean;
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
}

export interface RemoveParams {
  repository: string;
  name: string;
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
}

/** What the server's code actions pass to the client's `gto.remove` command. */
export interface RemovePrefill {
  repository?: string;
  name?: string;
}

/** The calls the client makes; implemented over the LanguageClient, faked in unit tests. */
export interface ServerApi {
  context(repository: string): Promise<RepositoryContext>;
  validateName(name: string): Promise<ServerResult>;
  annotate(params: AnnotateParams): Promise<EditResult>;
  remove(params: RemoveParams): Promise<EditResult>;
  commit(params: CommitParams): Promise<CommitResult>;
}
