/**
 * GTO Artifacts: starts the gto-lsp language server and registers the commands. Wiring only: the commands' logic
 * lives in common/ (actions.ts, registryFlow.ts), their start values in vscode/prefill.ts, the prompts in
 * vscode/quickInput.ts.
 */
import * as vscode from 'vscode';
import * as actions from './common/actions';
import type { AnnotatePrefill, RegistryPrefill, RemovePrefill } from './common/contract';
import * as registry from './common/registryFlow';
import { RegistryModel } from './common/registryTree';
import { readSettings } from './common/settings';
import { watchArtifactPaths } from './vscode/artifactPaths';
import { HistoryPanels } from './vscode/historyPanel';
import { registerRegistryCommands, revealRow, type RegistryFlowName } from './vscode/registryCommands';
import { registerRegistryDocuments } from './vscode/registryDocuments';
import { RegistryTreeProvider } from './vscode/registryView';
import { activeFilePrefill, explorerPrefill, isCommandArg, registryPrefill, withEditorFile } from './vscode/prefill';
import { QuickInputPrompter } from './vscode/quickInput';
import { foldersWithRepository, pickRepository, updateHasRepository } from './vscode/repository';
import { CLIENT_NAME, restartOnLaunchChanges, ServerManager } from './vscode/server';
import { windowUi } from './vscode/ui';

export interface GtoExtensionApi {
  /** The prompts; tests listen to `onDidShow` to drive them. */
  prompter: QuickInputPrompter;
  server: ServerManager;
  /** The Registry view: its model (filter, answers), tree and history panels. */
  registry: { model: RegistryModel; tree: RegistryTreeProvider; history: HistoryPanels };
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

  // The Registry view: one model over every workspace folder with a repository, refreshed when the server says
  // the tags changed, when it restarts, and after this extension's own register / assign / deprecate.
  // No repository while git may not run: the view then shows its welcome text saying why.
  const viewRepositories = (): string[] =>
    foldersWithRepository()
      .map((f) => f.uri.fsPath)
      .filter((r) => !registry.registryBlocked({ trusted: vscode.workspace.isTrusted, settings: deps(r).settings }));
  const model = new RegistryModel(server, viewRepositories);
  const tree = new RegistryTreeProvider(model);
  const history = new HistoryPanels(server, (repository, row) => revealRow(tree, model, repository, row));
  const refreshRegistry = (repository?: string): void => {
    model.refresh(repository);
    void history.refresh();
  };
  const flows = { register: registry.register, assign: registry.assign, deprecate: registry.deprecate };
  const runFlow = (flow: RegistryFlowName, repository: string, prefill: RegistryPrefill & { tags?: string[] }) =>
    flow === 'pushTags' ? registry.pushTags(deps(repository), repository, prefill.tags ?? []) : flows[flow](deps(repository), repository, prefill);

  const registryCommand = (id: string, what: string, flow: typeof registry.register): vscode.Disposable =>
    command(id, what, async (arg?: RegistryPrefill | vscode.Uri) => {
      const { prefill, uri } = registryPrefill(arg);
      const repository = await pickRepository(prefill.repository, uri);
      const result = repository ? await flow(deps(repository), repository, prefill) : undefined;
      if (repository && result && (result.status === 'created' || result.status === 'pushed' || result.status === 'pushFailed')) {
        refreshRegistry(repository);
      }
      return result;
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
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      void updateHasRepository();
      refreshRegistry();
    }),
    tree,
    history,
    registerRegistryDocuments(server),
    ...registerRegistryCommands({ model, provider: tree, history, prompter, runFlow, pickRepository: () => pickRepository(), command }),
    server.onDidChangeRegistry((p) => refreshRegistry(p.repository)),
    server.onDidChangeState((state) => state === 'running' && refreshRegistry()),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('gto.git.enabled') && refreshRegistry()),
  );

  await updateHasRepository();
  void server.restart().catch((err) => log.error(`Server start failed: ${actions.errorMessage(err)}`));
  return { prompter, server, registry: { model, tree, history } };
}

export async function deactivate(): Promise<void> {
  await manager?.dispose();
  manager = undefined;
}
