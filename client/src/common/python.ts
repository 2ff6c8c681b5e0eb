/**
 * Choosing the Python interpreter that starts the server. Pure logic: probing a candidate is injected,
 * so this is unit-tested without spawning anything.
 */

export const MIN_PYTHON: readonly [number, number] = [3, 9];

/** The snippet run with each candidate; prints e.g. `(3, 11)`. */
export const VERSION_SNIPPET = 'import sys; print(sys.version_info[:2])';

export interface Candidate {
  /** Where the candidate came from, for messages: "setting gto.interpreter", "Python extension", "PATH". */
  source: string;
  /** Executable followed by its arguments. */
  command: string[];
}

export type Probe = (command: string[]) => Promise<string>;

export interface Resolved {
  command: string[];
  source: string;
  version: [number, number];
}

export interface Tried {
  candidate: Candidate;
  problem: string;
}

export class NoInterpreterError extends Error {
  constructor(readonly tried: Tried[]) {
    super(describeNoInterpreter(tried));
    this.name = 'NoInterpreterError';
  }
}

/** Parses `(3, 11)` (the snippet's output) into [3, 11]. */
export function parseVersion(output: string): [number, number] | undefined {
  const m = /\(\s*(\d+)\s*,\s*(\d+)\s*\)/.exec(output);
  if (!m) {
    return undefined;
  }
  return [Number(m[1]), Number(m[2])];
}

export function isSupported(version: readonly [number, number]): boolean {
  return version[0] > MIN_PYTHON[0] || (version[0] === MIN_PYTHON[0] && version[1] >= MIN_PYTHON[1]);
}

/** The first candidate that runs and is Python >= 3.9; throws NoInterpreterError listing every attempt. */
export async function resolveInterpreter(candidates: Candidate[], probe: Probe): Promise<Resolved> {
  const tried: Tried[] = [];
  for (const candidate of candidates) {
    if (candidate.command.length === 0 || !candidate.command[0]) {
      continue;
    }
    let output: string;
    try {
      output = await probe(candidate.command);
    } catch (err) {
      tried.push({ candidate, problem: errorText(err) });
      continue;
    }
    const version = parseVersion(output);
    if (!version) {
      tried.push({ candidate, problem: `unexpected output ${JSON.stringify(output.trim().slice(0, 80))}` });
      continue;
    }
    if (!isSupported(version)) {
      tried.push({ candidate, problem: `Python ${version.join('.')} is too old` });
      continue;
    }
    return { command: candidate.command, source: candidate.source, version };
  }
  throw new NoInterpreterError(tried);
}

export function describeNoInterpreter(tried: Tried[]): string {
  const list = tried.length
    ? tried.map((t) => `${t.candidate.command.join(' ')} (${t.candidate.source}): ${t.problem}`).join('; ')
    : 'no candidates';
  return (
    `GTO Artifacts needs Python ${MIN_PYTHON.join('.')} or newer to run its language server. Tried: ${list}. ` +
    'Install Python 3.9+ or set "gto.interpreter" to the path of a Python 3.9+ interpreter.'
  );
}

function errorText(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; message?: unknown };
    if (e.code === 'ENOENT') {
      return 'not found';
    }
    if (typeof e.message === 'string') {
      return e.message.split('\n')[0] ?? e.message;
    }
  }
  return String(err);
}

/** The candidate list in resolution order: setting, Python extension, python3, python. */
export function candidateList(setting: string[], fromPythonExtension: string[] | undefined): Candidate[] {
  const out: Candidate[] = [];
  if (setting.length > 0) {
    out.push({ source: 'setting gto.interpreter', command: setting });
    // An explicit setting is the user's choice: do not silently fall back to something else.
    return out;
  }
  if (fromPythonExtension && fromPythonExtension.length > 0) {
    out.push({ source: 'Python extension', command: fromPythonExtension });
  }
  out.push({ source: 'PATH', command: ['python3'] });
  out.push({ source: 'PATH', command: ['python'] });
  return out;
}

export interface Launch {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
}

/**
 * How the server process starts. Python puts the working folder first on `sys.path` for `-m`, so a workspace
 * holding `yaml.py` would run inside the server, trusted or not: the server runs from the extension's own folder,
 * and PYTHONSAFEPATH (3.11+) keeps even that folder off `sys.path`.
 */
export function serverLaunch(
  interpreter: readonly string[],
  extensionPath: string,
  baseEnv: Record<string, string | undefined>,
  bundledLibs: string | undefined,
  delimiter: string,
): Launch {
  const [exe, ...pyArgs] = interpreter;
  const env: Record<string, string | undefined> = { ...baseEnv, PYTHONUNBUFFERED: '1', PYTHONSAFEPATH: '1' };
  if (bundledLibs) {
    env.PYTHONPATH = [bundledLibs, baseEnv.PYTHONPATH].filter((p) => p).join(delimiter);
  }
  return { command: exe || 'python3', args: [...pyArgs, '-m', 'gto_lsp', 'serve'], cwd: extensionPath, env };
}

/**
 * Which server runs, as the Python tools extensions (black, ruff, isort) choose it: `gto.path` (an executable and
 * its arguments) when set, else `<python> -m gto_lsp serve` with the bundled libraries (`useBundled`) or with the
 * gto_lsp installed in the interpreter's environment (`fromEnvironment`).
 */
export type ImportStrategy = 'useBundled' | 'fromEnvironment';
export const IMPORT_STRATEGIES: readonly ImportStrategy[] = ['useBundled', 'fromEnvironment'];

/** Printed by `<python> -c ENVIRONMENT_SNIPPET` when the environment has gto_lsp: its version. */
export const ENVIRONMENT_SNIPPET = 'import gto_lsp; print(gto_lsp.__version__)';

export interface Variables {
  workspaceFolder: string | undefined;
  userHome: string;
  env: Record<string, string | undefined>;
}

export type ServerChoice =
  | { kind: 'path'; command: string[] }
  | { kind: 'python'; strategy: ImportStrategy; notice?: string };

/**
 * Expands `${workspaceFolder}`, `${userHome}`, `${env:NAME}` and a leading `~`, as the Python tools extensions
 * do. Throws when `${workspaceFolder}` is used without a folder open, or on a variable it does not know.
 */
export function resolveVariables(value: string, vars: Variables): string {
  let out = value.replace(/^~(?=$|[\\/])/, vars.userHome);
  out = out.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
    if (name === 'workspaceFolder') {
      if (!vars.workspaceFolder) {
        throw new Error(`"${value}" names \${workspaceFolder} but no folder is open: open one or use an absolute path`);
      }
      return vars.workspaceFolder;
    }
    if (name === 'userHome') {
      return vars.userHome;
    }
    if (name.startsWith('env:')) {
      return vars.env[name.slice(4)] ?? '';
    }
    throw new Error(`"${value}" holds ${whole}, which gto.path does not know: use \${workspaceFolder}, \${userHome}, \${env:NAME} or ~`);
  });
  return out;
}

/**
 * The server to start. `gto.path` runs a program the settings name, so in an untrusted workspace it is refused
 * (the bundled server runs instead, and the notice says why); an invalid `gto.path` also falls back with a notice.
 */
export function chooseServer(path: string[], strategy: ImportStrategy, trusted: boolean, vars: Variables): ServerChoice {
  if (path.length === 0) {
    return { kind: 'python', strategy };
  }
  if (!trusted) {
    return {
      kind: 'python',
      strategy: 'useBundled',
      notice: 'gto.path is ignored in Restricted Mode (it runs a program the settings name): the bundled server runs. Trust the folder to use it.',
    };
  }
  try {
    return { kind: 'path', command: path.map((p) => resolveVariables(p, vars)) };
  } catch (err) {
    return { kind: 'python', strategy, notice: `gto.path ignored: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** The message when `fromEnvironment` finds no gto_lsp in the interpreter's environment (the bundled one runs). */
export function notInEnvironment(interpreter: readonly string[], problem: string): string {
  const python = interpreter.join(' ');
  return (
    `gto.importStrategy is "fromEnvironment" but ${python} cannot import gto_lsp (${problem}): the bundled server runs. ` +
    `Install it there with \`${python} -m pip install gto-lsp\`, or set gto.importStrategy to "useBundled".`
  );
}

/** How a `gto.path` server starts: the command as given, from the extension's folder. */
export function pathLaunch(command: readonly string[], extensionPath: string, baseEnv: Record<string, string | undefined>): Launch {
  const [exe, ...args] = command;
  return { command: exe ?? '', args, cwd: extensionPath, env: { ...baseEnv, PYTHONUNBUFFERED: '1' } };
}
