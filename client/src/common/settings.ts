/** The extension's settings (section `gto`), as typed values. Pure. */

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
    interpreter: Array.isArray(interp) ? interp.filter((x): x is string => typeof x === 'string' && x.length > 0) : [],
    afterAnnotate: AFTER_ANNOTATE.includes(after as AfterAnnotate) ? (after as AfterAnnotate) : 'ask',
    gitEnabled: git !== false,
  };
}

/** Settings whose change needs a server restart (the others reach the server through didChangeConfiguration). */
export const LAUNCH_SETTINGS = ['gto.interpreter'] as const;
