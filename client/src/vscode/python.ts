/** Finding the interpreter: gto.interpreter, then the Python extension (when installed), then python3/python. */
import { execFile } from 'child_process';
import * as vscode from 'vscode';
import { candidateList, ENVIRONMENT_SNIPPET, resolveInterpreter, VERSION_SNIPPET, type Resolved } from '../common/python';

const PYTHON_EXTENSION_ID = 'ms-python.python';

/** Runs `<python> [args] -c <snippet>` without a shell; resolves with stdout. */
export function probeInterpreter(command: string[], snippet = VERSION_SNIPPET, cwd?: string): Promise<string> {
  const [exe, ...args] = command;
  // From `cwd` with a safe sys.path, as the server runs: a workspace's gto_lsp/ folder must not answer.
  const options = { timeout: 15000, windowsHide: true, cwd, env: { ...process.env, PYTHONSAFEPATH: '1' } };
  return new Promise((resolve, reject) => {
    execFile(exe ?? '', [...args, '-c', snippet], options, (err, stdout, stderr) => {
      if (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'ENOENT') {
          reject(e);
        } else {
          reject(new Error((stderr || e.message).trim().split('\n').pop() ?? e.message));
        }
        return;
      }
      resolve(stdout);
    });
  });
}

/** The Python extension's interpreter for `resource`, or undefined when the extension is absent or has none. */
export async function pythonExtensionInterpreter(
  resource: vscode.Uri | undefined,
  log: vscode.LogOutputChannel,
): Promise<string[] | undefined> {
  if (!vscode.extensions.getExtension(PYTHON_EXTENSION_ID)) {
    return undefined;
  }
  try {
    const { PythonExtension } = await import('@vscode/python-extension');
    const api = await PythonExtension.api();
    const envPath = api.environments.getActiveEnvironmentPath(resource);
    const env = await api.environments.resolveEnvironment(envPath);
    const exe = env?.executable.uri?.fsPath;
    return exe ? [exe] : undefined;
  } catch (err) {
    log.warn(`Python extension: could not get its interpreter: ${String(err)}`);
    return undefined;
  }
}

/** Subscribes to interpreter changes in the Python extension, if installed. */
export async function onPythonInterpreterChange(listener: () => void): Promise<vscode.Disposable | undefined> {
  if (!vscode.extensions.getExtension(PYTHON_EXTENSION_ID)) {
    return undefined;
  }
  try {
    const { PythonExtension } = await import('@vscode/python-extension');
    const api = await PythonExtension.api();
    return api.environments.onDidChangeActiveEnvironmentPath(() => listener());
  } catch {
    return undefined;
  }
}

/** The version of the gto_lsp installed in the interpreter's environment; rejects when it has none. */
export async function environmentServer(command: string[], cwd: string): Promise<string> {
  return (await probeInterpreter(command, ENVIRONMENT_SNIPPET, cwd)).trim();
}

export async function findInterpreter(
  setting: string[],
  resource: vscode.Uri | undefined,
  log: vscode.LogOutputChannel,
): Promise<Resolved> {
  const fromExt = setting.length ? undefined : await pythonExtensionInterpreter(resource, log);
  return resolveInterpreter(candidateList(setting, fromExt), (command) => probeInterpreter(command));
}
