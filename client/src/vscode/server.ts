/**
 * Starts, restarts and stops the gto-lsp server (`<python> -m gto_lsp serve` over stdio) with
 * vscode-languageclient. Restarts are single-flight: a restart requested during a restart queues one more.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  RevealOutputChannelOn,
  State,
  Trace,
  type Executable,
  type LanguageClientOptions,
} from 'vscode-languageclient/node';
import { REGISTRY_CHANGED, SERVER_COMMANDS, ServerApi, type RegistryChangedParams, type ServerCommand, type ServerCommands } from '../common/contract';
import { chooseServer, type Launch, NoInterpreterError, notInEnvironment, pathLaunch, type Resolved, serverLaunch } from '../common/python';
import { expectedWhileStopping } from '../common/serverLog';
import { LAUNCH_SETTINGS, readLaunchSettings } from '../common/settings';
import { SingleFlight } from '../common/singleFlight';
import { environmentServer, findInterpreter, onPythonInterpreterChange } from './python';

export const CLIENT_ID = 'gto';
export const CLIENT_NAME = 'GTO Artifacts';

/** Client-side commands the server may put in code actions (they open the prompts). */
export const CLIENT_COMMANDS = ['gto.annotate', 'gto.remove', 'gto.register', 'gto.assign', 'gto.deprecate', 'gto.migrate'] as const;

export const DOCUMENT_SELECTOR = [
  { scheme: 'file', pattern: '**/artifacts.yaml' },
  { scheme: 'file', pattern: '**/.gto' },
  // dvc.yaml stays `yaml` (the DVC extension and yaml-language-server own it): selected by its name only.
  { scheme: 'file', pattern: '**/dvc.yaml' },
  { scheme: 'file', language: 'gto-artifacts' },
];

/**
 * The language client, told when the extension stops the server on purpose: the connection closing then is
 * logged as information (vscode-languageclient logs it as an error and pops up a notification).
 */
class GtoLanguageClient extends LanguageClient {
  stopping = false;
  constructor(
    id: string,
    name: string,
    server: { run: Executable; debug: Executable },
    options: LanguageClientOptions,
    private readonly onError: (message: string) => void,
  ) {
    super(id, name, server, options);
  }

  override error(message: string, data?: unknown, showNotification: boolean | 'force' = true): void {
    if (this.stopping && expectedWhileStopping(message)) {
      this.info(message, data, false);
      return;
    }
    this.onError(message);
    super.error(message, data, showNotification);
  }
}

export class ServerManager extends ServerApi implements vscode.Disposable {
  private client: GtoLanguageClient | undefined;
  /** The language client's error-level messages since activation (the in-editor tests read them). */
  readonly clientErrors: string[] = [];
  private interpreter: Resolved | undefined;
  private startError: string | undefined;
  private readonly restarter = new SingleFlight(() => this.restartNow());
  private readonly disposables: vscode.Disposable[] = [];
  private readonly stateEmitter = new vscode.EventEmitter<'running' | 'stopped' | 'failed'>();
  readonly onDidChangeState = this.stateEmitter.event;
  /** The server's `gto/registryChanged`: a repository's GTO tags changed on disk. */
  private readonly registryEmitter = new vscode.EventEmitter<RegistryChangedParams>();
  readonly onDidChangeRegistry = this.registryEmitter.event;

  constructor(
    private readonly extensionPath: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.disposables.push(this.log.onDidChangeLogLevel(() => this.applyTrace()));
  }

  get running(): boolean {
    return this.client?.state === State.Running;
  }

  get interpreterCommand(): string[] | undefined {
    return this.interpreter?.command;
  }

  /** Starts the server, or restarts it; concurrent calls share one restart plus at most one queued. */
  restart(): Promise<void> {
    return this.restarter.run();
  }

  private async restartNow(): Promise<void> {
    await this.stopClient();
    this.startError = undefined;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const settings = readLaunchSettings((key) => vscode.workspace.getConfiguration('gto', folder).get(key));
    const trusted = vscode.workspace.isTrusted;
    const choice = chooseServer(settings.path, settings.importStrategy, trusted, {
      workspaceFolder: folder?.fsPath,
      userHome: os.homedir(),
      env: process.env,
    });
    let launch: Launch;
    let origin: string;
    if (choice.kind === 'path') {
      this.interpreter = undefined;
      launch = pathLaunch(choice.command, this.extensionPath, process.env);
      origin = 'gto.path';
    } else {
      if (choice.notice) {
        this.notify(choice.notice, 'gto.path');
      }
      try {
        this.interpreter = await findInterpreter(settings.interpreter, folder, this.log);
      } catch (err) {
        this.startError = err instanceof Error ? err.message : String(err);
        this.log.error(this.startError);
        this.stateEmitter.fire('failed');
        if (err instanceof NoInterpreterError) {
          void this.reportNoInterpreter(this.startError);
          return;
        }
        throw err;
      }
      const bundled = path.join(this.extensionPath, 'bundled', 'libs');
      let libs = fs.existsSync(bundled) ? bundled : undefined;
      origin = 'the bundled gto-lsp';
      if (choice.strategy === 'fromEnvironment') {
        try {
          const version = await environmentServer(this.interpreter.command, this.extensionPath);
          libs = undefined;
          origin = `gto-lsp ${version} from the interpreter's environment`;
        } catch (err) {
          this.notify(notInEnvironment(this.interpreter.command, err instanceof Error ? err.message : String(err)), 'gto.importStrategy');
        }
      }
      launch = serverLaunch(this.interpreter.command, this.extensionPath, process.env, libs, path.delimiter);
      origin += `, Python ${this.interpreter.version.join('.')} from ${this.interpreter.source}`;
    }
    const env = launch.env;
    const run: Executable = { command: launch.command, args: launch.args, options: { env, cwd: launch.cwd } };
    this.log.info(
      `Starting the server: ${[run.command, ...(run.args ?? [])].join(' ')} ` +
        `(${origin}; PYTHONPATH=${env.PYTHONPATH ?? ''}; trusted=${trusted})`,
    );
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: this.log,
      traceOutputChannel: this.log,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      synchronize: { configurationSection: 'gto' },
      // clientCommands: the commands of this extension that the server's code actions may name.
      initializationOptions: { trusted, clientCommands: [...CLIENT_COMMANDS] },
    };
    const client = new GtoLanguageClient(CLIENT_ID, CLIENT_NAME, { run, debug: run }, clientOptions, (m) => this.clientErrors.push(m));
    this.client = client;
    try {
      await client.start();
    } catch (err) {
      this.startError = `The GTO language server did not start: ${err instanceof Error ? err.message : String(err)}`;
      this.log.error(this.startError);
      this.stateEmitter.fire('failed');
      void vscode.window.showErrorMessage(`${this.startError}. See "GTO: Show Server Log".`, 'Show Log').then((a) => {
        if (a) {
          this.log.show();
        }
      });
      return;
    }
    client.onNotification(REGISTRY_CHANGED, (p: RegistryChangedParams) => this.registryEmitter.fire(p));
    this.applyTrace();
    this.stateEmitter.fire('running');
  }

  /** A setting could not be followed: logged, and shown with a way to the setting (the server still starts). */
  private notify(message: string, setting: string): void {
    this.log.warn(message);
    void vscode.window.showWarningMessage(message, 'Open Settings').then((choice) => {
      if (choice) {
        void vscode.commands.executeCommand('workbench.action.openSettings', setting);
      }
    });
  }

  private async reportNoInterpreter(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, 'Open Settings', 'Show Log');
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'gto.interpreter');
    } else if (choice === 'Show Log') {
      this.log.show();
    }
  }

  private applyTrace(): void {
    const client = this.client;
    if (!client || client.state !== State.Running) {
      return;
    }
    const configured = vscode.workspace.getConfiguration('gto').get<string>('trace.server', 'off');
    if (configured && configured !== 'off') {
      return; // the language client follows gto.trace.server itself
    }
    const level = this.log.logLevel;
    const trace = level === vscode.LogLevel.Trace ? Trace.Verbose : level === vscode.LogLevel.Debug ? Trace.Messages : Trace.Off;
    void client.setTrace(trace);
  }

  private async stopClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) {
      return;
    }
    client.stopping = true;
    try {
      if (client.needsStop()) {
        await client.stop(5000);
      }
      await client.dispose();
    } catch (err) {
      this.log.warn(`Stopping the server: ${String(err)}`);
    }
    this.stateEmitter.fire('stopped');
  }

  /** The running client; waits for a restart in progress and starts the server if it never ran. */
  private async ready(): Promise<LanguageClient> {
    await this.restarter.idle();
    if (!this.client) {
      await this.restart();
    }
    const client = this.client;
    if (!client || client.state !== State.Running) {
      throw new Error(this.startError ?? 'the GTO language server is not running (see "GTO: Show Server Log")');
    }
    return client;
  }

  /** Runs the server command `command` (a key of SERVER_COMMANDS) with its one object argument. */
  async execute<K extends ServerCommand>(command: K, arg: ServerCommands[K]['arg']): Promise<ServerCommands[K]['answer']> {
    const client = await this.ready();
    const name = SERVER_COMMANDS[command];
    const result: unknown = await client.sendRequest(ExecuteCommandRequest.type, { command: name, arguments: [arg] });
    if (!result || typeof result !== 'object') {
      throw new Error(`${name} answered ${JSON.stringify(result)}`);
    }
    return result as ServerCommands[K]['answer'];
  }

  async dispose(): Promise<void> {
    for (const d of this.disposables) {
      d.dispose();
    }
    await this.stopClient();
    this.stateEmitter.dispose();
    this.registryEmitter.dispose();
  }
}

/**
 * Restarts the server when what it started with changes: gto.interpreter, gto.path, gto.importStrategy, the
 * workspace's trust (git is enabled then), or the Python extension's interpreter while gto.interpreter is empty.
 */
export function restartOnLaunchChanges(server: ServerManager, log: vscode.LogOutputChannel): vscode.Disposable {
  const subscriptions = [
    vscode.workspace.onDidChangeConfiguration((e) => {
      const changed = LAUNCH_SETTINGS.find((key) => e.affectsConfiguration(key));
      if (changed) {
        log.info(`${changed} changed: restarting the server`);
        void server.restart();
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      log.info('Workspace trusted: restarting the server with git enabled');
      void server.restart();
    }),
  ];
  void onPythonInterpreterChange(() => {
    const setting = vscode.workspace.getConfiguration('gto').get<string[]>('interpreter', []);
    if (setting.length === 0) {
      log.info('The Python extension changed the interpreter: restarting the server');
      void server.restart();
    }
  }).then((d) => d && subscriptions.push(d));
  return { dispose: () => subscriptions.forEach((d) => d.dispose()) };
}
