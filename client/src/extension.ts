/**
 * GTO Artifacts: starts the gto-lsp language server and registers the commands. Wiring only: the commands' logic
 * lives in common/ (actions.ts, registryFlow.ts), their start values in vscode/prefill.ts, the prompts in
 * vscode/quickInput.ts.
 */
import * as vscode from 'vscode';
import * as actions from './common/actions';
import type { AnnotatePrefill, RegistryPrefill, RemovePrefill } from './common/contract';
import * as registry from './common/registryFlow';
import { readSettings } from './common/settings';
import { watchArtifactPaths } from './vscode/artifactPaths';
import { activeFilePrefill, explorerPrefill, isCommandArg, registryPrefill, withEditorFile } from './vscode/prefill';
import { QuickInputPrompter } from './vscode/quickInput';
import { pickRepository, updateHasRepository } from './vscode/repository';
import { CLIENT_NAME, restartOnLaunchChanges, ServerManager } from './vscode/server';
import { windowUi } from './vscode/ui';

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
  const ui = windowUi();
  context.subscriptions.push(log, prompter, { dispose: () => void server.dispose() });

  const deps = (repository: string): actions.ActionDeps & registry.RegistryDeps => ({
    server,
    ui,
    prompter,
    pending,
    settings: readSettings((key) => vscode.workspace.getConfiguration('gto', vscode.Uri.file(repository)).get(key)),
    trusted: vscode.workspace.isTrusted,
    log: (m) => log.info(m),
  });

  /** A command whose failure is logged and shown (`GTO: <what> failed: ...`), never thrown. */
  const command = <A>(id: string, what: string, body: (arg: A) => Promise<unknown>): vscode.Disposable =>
    vscode.commands.registerCommand(id, async (arg: A) => {
      try {
        return await body(arg);
      } catch (err) {
        const message = `GTO: ${what} failed: ${actions.errorMessage(err)}`;
        log.error(message);
        void vscode.window.showErrorMessage(message);
        return undefined;
      }
    });

  const registryCommand = (id: string, what: string, flow: typeof registry.register): vscode.Disposable =>
    command(id, what, async (arg?: RegistryPrefill | vscode.Uri) => {
      const { prefill, uri } = registryPrefill(arg);
      const repository = await pickRepository(prefill.repository, uri);
      return repository ? flow(deps(repository), repository, prefill) : undefined;
    });

  context.subscriptions.push(
    command('gto.annotate', 'annotate', async (arg?: AnnotatePrefill) => {
      const prefill = isCommandArg(arg) ? withEditorFile({ ...arg }) : activeFilePrefill();
      const repository = await pickRepository(prefill.repository);
      return repository ? actions.annotate(deps(repository), repository, prefill) : undefined;
    }),
    command('gto.annotateFromExplorer', 'annotate', async (uri?: vscode.Uri) => {
      const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
      const repository = await pickRepository(undefined, target);
      return repository ? actions.annotate(deps(repository), repository, target ? await explorerPrefill(target) : {}) : undefined;
    }),
    command('gto.remove', 'remove', async (arg?: RemovePrefill) => {
      const prefill = isCommandArg(arg) ? withEditorFile({ ...arg }) : {};
      const repository = await pickRepository(prefill.repository);
      return repository ? actions.remove(deps(repository), repository, prefill) : undefined;
    }),
    command('gto.migrate', 'move annotations', async (arg?: { repository?: string; uri?: string }) => {
      const prefill = isCommandArg(arg) ? arg : {};
      const repository = await pickRepository(prefill.repository);
      return repository ? actions.migrate(server, ui, { ...prefill, repository }) : undefined;
    }),
    command('gto.commit', 'commit', async () => {
      if (!vscode.workspace.isTrusted) {
        // Say why before asking anything.
        const message = `Cannot commit annotations: ${actions.commitBlocked({ trusted: false, settings: readSettings(() => undefined) })}.`;
        ui.error(message);
        return { status: 'commitRefused', message } satisfies actions.ActionResult;
      }
      const repository = await pickRepository();
      return repository ? actions.commit(deps(repository), repository) : undefined;
    }),
    registryCommand('gto.register', 'register', registry.register),
    registryCommand('gto.assign', 'assign', registry.assign),
    registryCommand('gto.deprecate', 'deprecate', registry.deprecate),
    registryCommand('gto.registerFromExplorer', 'register', registry.register),
    registryCommand('gto.assignFromExplorer', 'assign', registry.assign),
    registryCommand('gto.deprecateFromExplorer', 'deprecate', registry.deprecate),
    watchArtifactPaths(server, (m) => log.info(m)),
    command('gto.restartServer', 'restart', () => server.restart()),
    vscode.commands.registerCommand('gto.showLog', () => log.show()),
    restartOnLaunchChanges(server, log),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void updateHasRepository()),
  );

  await updateHasRepository();
  void server.restart().catch((err) => log.error(`Server start failed: ${actions.errorMessage(err)}`));
  return { prompter, server };
}

export async function deactivate(): Promise<void> {
  await manager?.dispose();
  manager = undefined;
}
