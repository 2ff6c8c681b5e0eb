/**
 * GTO Artifacts: starts the gto-lsp language server and adds the Annotate / Remove / Commit commands.
 * Wiring only; the commands' logic lives in common/actions.ts, the prompts in vscode/quickInput.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import * as actions from './common/actions';
import type { AnnotatePrefill, RegistryPrefill, RemovePrefill } from './common/contract';
import * as registry from './common/registryFlow';
import { isAnnotationFileName } from './common/annotationFiles';
import { suggestName, suggestType } from './common/names';
import { readSettings } from './common/settings';
import { watchArtifactPaths } from './vscode/artifactPaths';
import { onPythonInterpreterChange } from './vscode/python';
import { QuickInputPrompter } from './vscode/quickInput';
import { gitRootOf, pickRepository, updateHasRepository } from './vscode/repository';
import { CLIENT_NAME, ServerManager } from './vscode/server';

export interface GtoExtensionApi {
  /** The prompts; tests listen to `onDidShow` to drive them. */
  prompter: QuickInputPrompter;
  server: ServerManager;
}

let manager: ServerManager | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<GtoExtensionApi> {
  const log = vscode.window.createOutputChannel(CLIENT_NAME, { log: true });
  const server = new ServerManager(context.extensionPath, log);
  manager = server;
  const prompter = new QuickInputPrompter();
  const pending = new actions.PendingChanges();
  context.subscriptions.push(log, prompter, { dispose: () => void server.dispose() });

  const ui: actions.Ui = {
    info: (m) => void vscode.window.showInformationMessage(m),
    error: (m) => void vscode.window.showErrorMessage(m),
    save: saveDocument,
    isDirty: (p) => openDocument(p)?.isDirty ?? false,
    confirm: async (m, button) => (await vscode.window.showWarningMessage(m, { modal: true }, button)) === button,
  };
  const deps = (repository: string): actions.ActionDeps => ({
    server,
    ui,
    prompter,
    pending,
    settings: readSettings((key) => vscode.workspace.getConfiguration('gto', vscode.Uri.file(repository)).get(key)),
    trusted: vscode.workspace.isTrusted,
    log: (m) => log.info(m),
  });

  const registryUi: registry.RegistryUi = {
    ...ui,
    infoWith: (m, ...buttons) => Promise.resolve(vscode.window.showInformationMessage(m, ...buttons)),
    progress: (title, work) =>
      Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, () => work())),
  };
  const registryDeps = (repository: string): registry.RegistryDeps => ({ ...deps(repository), ui: registryUi });
  type RegistryRun = typeof registry.register;
  /** Register / Assign / Deprecate: from the code lens ({repository, name}), the palette (nothing) or the explorer (a Uri). */
  const registryCommand = (what: string, flow: RegistryRun) => (arg?: RegistryPrefill | vscode.Uri) =>
    run(what, async () => {
      const uri = arg instanceof vscode.Uri ? arg : undefined;
      const prefill: registry.RegistryPrefillWithPath = isObject(arg) ? { ...(arg as RegistryPrefill) } : {};
      const repository = await pickRepository(prefill.repository, uri);
      if (!repository) {
        return undefined;
      }
      if (uri?.scheme === 'file') {
        const where = relativeToRoot(uri.fsPath);
        if (where) {
          prefill.path = where.rel;
        }
      }
      return flow(registryDeps(repository), repository, prefill);
    });

  const run = async <T>(what: string, body: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await body();
    } catch (err) {
      const message = `GTO: ${what} failed: ${actions.errorMessage(err)}`;
      log.error(message);
      void vscode.window.showErrorMessage(message);
      return undefined;
    }
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('gto.annotate', (arg?: AnnotatePrefill) =>
      run('annotate', async () => {
        const prefill = isObject(arg) ? withEditorFile({ ...arg }) : activeFilePrefill();
        const repository = await pickRepository(prefill.repository);
        return repository ? actions.annotate(deps(repository), repository, prefill) : undefined;
      }),
    ),
    vscode.commands.registerCommand('gto.annotateFromExplorer', (uri?: vscode.Uri) =>
      run('annotate', async () => {
        const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
        const repository = await pickRepository(undefined, target);
        if (!repository) {
          return undefined;
        }
        const prefill = target ? await explorerPrefill(target) : {};
        return actions.annotate(deps(repository), repository, prefill);
      }),
    ),
    vscode.commands.registerCommand('gto.remove', (arg?: RemovePrefill) =>
      run('remove', async () => {
        const prefill = isObject(arg) ? withEditorFile({ ...arg }) : {};
        const repository = await pickRepository(prefill.repository);
        return repository ? actions.remove(deps(repository), repository, prefill) : undefined;
      }),
    ),
    vscode.commands.registerCommand('gto.migrate', (arg?: { repository?: string; uri?: string }) =>
      run('move annotations', async () => {
        const prefill = isObject(arg) ? arg : {};
        const repository = await pickRepository(prefill.repository);
        return repository ? actions.migrate(server, registryUi, { ...prefill, repository }) : undefined;
      }),
    ),
    vscode.commands.registerCommand('gto.commit', () =>
      run('commit', async () => {
        if (!vscode.workspace.isTrusted) {
          // Say why before asking anything.
          const message = `Cannot commit annotations: ${actions.commitBlocked({ trusted: false, settings: readSettings(() => undefined) })}.`;
          void vscode.window.showErrorMessage(message);
          return { status: 'commitRefused', message } satisfies actions.ActionResult;
        }
        const repository = await pickRepository();
        return repository ? actions.commit(deps(repository), repository) : undefined;
      }),
    ),
    vscode.commands.registerCommand('gto.register', registryCommand('register', registry.register)),
    vscode.commands.registerCommand('gto.assign', registryCommand('assign', registry.assign)),
    vscode.commands.registerCommand('gto.deprecate', registryCommand('deprecate', registry.deprecate)),
    vscode.commands.registerCommand('gto.registerFromExplorer', registryCommand('register', registry.register)),
    vscode.commands.registerCommand('gto.assignFromExplorer', registryCommand('assign', registry.assign)),
    vscode.commands.registerCommand('gto.deprecateFromExplorer', registryCommand('deprecate', registry.deprecate)),
    watchArtifactPaths(server, (m) => log.info(m)),
    vscode.commands.registerCommand('gto.restartServer', () => run('restart', () => server.restart())),
    vscode.commands.registerCommand('gto.showLog', () => log.show()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('gto.interpreter')) {
        log.info('gto.interpreter changed: restarting the server');
        void server.restart();
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      log.info('Workspace trusted: restarting the server with git enabled');
      void server.restart();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void updateHasRepository()),
  );

  void onPythonInterpreterChange(() => {
    const setting = vscode.workspace.getConfiguration('gto').get<string[]>('interpreter', []);
    if (setting.length === 0) {
      log.info('The Python extension changed the interpreter: restarting the server');
      void server.restart();
    }
  }).then((d) => d && context.subscriptions.push(d));

  await updateHasRepository();
  void server.restart().catch((err) => log.error(`Server start failed: ${actions.errorMessage(err)}`));
  return { prompter, server };
}

export async function deactivate(): Promise<void> {
  await manager?.dispose();
  manager = undefined;
}

function isObject(x: unknown): x is object {
  return typeof x === 'object' && x !== null && !(x instanceof vscode.Uri);
}

function openDocument(pathOrUri: string): vscode.TextDocument | undefined {
  const uri = /^[a-z][a-z0-9+.-]+:\/\//i.test(pathOrUri) ? vscode.Uri.parse(pathOrUri) : vscode.Uri.file(pathOrUri);
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
}

/** Saves the open document at `pathOrUri` when it has unsaved changes. */
async function saveDocument(pathOrUri: string): Promise<boolean> {
  const doc = openDocument(pathOrUri);
  if (!doc || !doc.isDirty) {
    return true;
  }
  return doc.save();
}

function relativeToRoot(fsPath: string): { root: string; rel: string } | undefined {
  const root = gitRootOf(path.dirname(fsPath));
  if (!root) {
    return undefined;
  }
  const rel = path.relative(root, fsPath).split(path.sep).join('/');
  return rel && !rel.startsWith('..') ? { root, rel } : undefined;
}

/**
 * A command argument without `file` (a code action of artifacts.yaml, whose server does not name it) targets the
 * annotation file in the active editor, so the file question is not asked there.
 */
function withEditorFile<T extends { repository?: string; file?: string }>(prefill: T): T {
  const doc = vscode.window.activeTextEditor?.document;
  if (prefill.file || !doc || doc.uri.scheme !== 'file') {
    return prefill;
  }
  const where = relativeToRoot(doc.uri.fsPath);
  if (!where || !isAnnotationFileName(where.rel)) {
    return prefill;
  }
  if (prefill.repository && path.resolve(prefill.repository) !== path.resolve(where.root)) {
    return prefill;
  }
  return { ...prefill, file: where.rel };
}

/** Palette: suggest name, type and path from the active editor's file (not an annotation file itself). */
function activeFilePrefill(): AnnotatePrefill {
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc || doc.uri.scheme !== 'file') {
    return {};
  }
  const base = path.basename(doc.uri.fsPath);
  if (base === 'artifacts.yaml' || base === '.gto' || base === 'dvc.yaml' || base === 'dvc.lock') {
    return {};
  }
  const where = relativeToRoot(doc.uri.fsPath);
  if (!where) {
    return {};
  }
  const name = suggestName(where.rel);
  return { ...(name ? { name } : {}), type: suggestType(where.rel), path: where.rel };
}

/** Explorer: the clicked file or folder is the path; name and type are suggested from it. */
async function explorerPrefill(uri: vscode.Uri): Promise<AnnotatePrefill> {
  if (uri.scheme !== 'file') {
    return {};
  }
  const where = relativeToRoot(uri.fsPath);
  if (!where) {
    return {};
  }
  let isFolder = false;
  try {
    isFolder = (await fs.promises.stat(uri.fsPath)).isDirectory();
  } catch {
    // deleted meanwhile: treat as a file
  }
  const name = suggestName(where.rel, isFolder);
  return { ...(name ? { name } : {}), type: suggestType(where.rel, isFolder), path: where.rel };
}
