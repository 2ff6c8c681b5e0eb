/** The extension's settings (section `gto`), as typed values. Pure. */
import { IMPORT_STRATEGIES, type ImportStrategy } from './python';

export type AfterAnnotate = 'ask' | 'commit' | 'commitAndPush' | 'nothing';

export interface ClientSettings {
  interpreter: string[];
  afterAnnotate: AfterAnnotate;
  gitEnabled: boolean;
}

const AFTER_ANNOTATE: readonly AfterAnnotate[] = ['ask', 'commit', 'commitAndPush', 'nothing'];

/** Reads the client-side settings from a `get(key)` lookup (a WorkspaceConfiguration in the extension). */
export function readSettings(get: (key: string) => unknown): ClientSettings {
  const interp = get('interpreter');
  const after = get('afterAnnotate');
  const git = get('git.enabled');
  return {
    interpreter: strings(interp),
    afterAnnotate: AFTER_ANNOTATE.includes(after as AfterAnnotate) ? (after as AfterAnnotate) : 'ask',
    gitEnabled: git !== false,
  };
}

/** What starts the server (a change restarts it). */
export interface LaunchSettings {
  interpreter: string[];
  /** An executable and its arguments that run the server instead of `<python> -m gto_lsp serve`. */
  path: string[];
  importStrategy: ImportStrategy;
}

export function readLaunchSettings(get: (key: string) => unknown): LaunchSettings {
  const serverPath = get('path');
  const strategy = get('importStrategy');
  return {
    interpreter: strings(get('interpreter')),
    path: typeof serverPath === 'string' ? strings([serverPath]) : strings(serverPath),
    importStrategy: IMPORT_STRATEGIES.includes(strategy as ImportStrategy) ? (strategy as ImportStrategy) : 'useBundled',
  };
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string' && x.length > 0) : [];
}

/** Settings whose change needs a server restart (the others reach the server through didChangeConfiguration). */
export const LAUNCH_SETTINGS = ['gto.interpreter', 'gto.path', 'gto.importStrategy'] as const;
