/**
 * The Registry view's commands: the view title's (refresh, filter, clear, deprecated toggle, history) and the
 * nodes' (register / assign / deprecate through common/registryFlow.ts, copy, open at a version, reveal in the
 * annotations file, push tags, history, compare). Node-only commands are hidden from the palette (package.json).
 */
import * as vscode from 'vscode';
import type { HistoryRow, RegistryPrefill } from '../common/contract';
import type { Prompter } from '../common/prompter';
import type { RegistryResult } from '../common/registryFlow';
import { comparison, gitFileUri, pickOtherVersion } from '../common/registryDocs';
import { chooseFilter } from '../common/registryFilter';
import { versionTag, type ArtifactNode, type EventNode, type RegistryFilter, type RegistryModel, type RegistryNode, type VersionNode } from '../common/registryTree';
import type { HistoryPanels } from './historyPanel';
import { toUri } from './registryDocuments';
import type { RegistryTreeProvider } from './registryView';

export type RegistryFlowName = 'register' | 'assign' | 'deprecate' | 'pushTags';

export interface RegistryCommandDeps {
  model: RegistryModel;
  provider: RegistryTreeProvider;
  history: HistoryPanels;
  prompter: Prompter;
  /** Runs a flow of common/registryFlow.ts for the repository (the extension gives it its dependencies). */
  runFlow: (flow: RegistryFlowName, repository: string, prefill: RegistryPrefill & { tags?: string[] }) => Promise<RegistryResult | undefined>;
  /** The repository of a view-title command: the only one, or the user's pick. */
  pickRepository: () => Promise<string | undefined>;
  /** Wraps a command so a failure is logged and shown, never thrown. */
  command: <A>(id: string, what: string, body: (arg: A) => Promise<unknown>) => vscode.Disposable;
}

const isNode = (x: unknown): x is RegistryNode => typeof x === 'object' && x !== null && 'kind' in x && 'repository' in x;

function artifactOf(node: RegistryNode): ArtifactNode['artifact'] | undefined {
  return 'artifact' in node ? node.artifact : undefined;
}

export function registerRegistryCommands(d: RegistryCommandDeps): vscode.Disposable[] {
  const { model, command } = d;
  const flowOn = (flow: RegistryFlowName) => async (node?: RegistryNode) => {
    const repository = node?.repository ?? (await d.pickRepository());
    if (!repository) {
      return undefined;
    }
    const artifact = node ? artifactOf(node) : undefined;
    const result = await d.runFlow(flow, repository, { repository, ...(artifact ? { name: artifact.name } : {}) });
    refreshAfter(result, repository);
    return result;
  };
  const refreshAfter = (result: RegistryResult | undefined, repository: string): void => {
    if (result && result.status !== 'cancelled' && result.status !== 'refused') {
      model.refresh(repository);
      void d.history.refresh();
    }
  };
  const copy = async (text: string, what: string): Promise<string> => {
    await vscode.env.clipboard.writeText(text);
    void vscode.window.setStatusBarMessage(`GTO: copied ${what} ${text}`, 4000);
    return text;
  };
  return [
    command('gto.registry.refresh', 'refresh the registry', async () => model.refresh()),
    command('gto.registry.filter', 'filter the registry', async (arg?: RegistryFilter) => {
      // An object argument sets the filter directly (the in-editor tests, keybindings).
      const next = arg && typeof arg === 'object' && !isNode(arg) ? arg : await chooseFilter(d.prompter, model.filter, await model.choices());
      if (next) {
        model.setFilter(next);
      }
      return model.filter;
    }),
    command('gto.registry.clearFilter', 'clear the filter', async () => model.setFilter({})),
    command('gto.registry.toggleDeprecated', 'show or hide deprecated artifacts', async () => model.toggleDeprecated()),
    command('gto.registry.register', 'register', flowOn('register')),
    command('gto.registry.assign', 'assign', flowOn('assign')),
    command('gto.registry.deprecate', 'deprecate', flowOn('deprecate')),
    command('gto.registry.copyTag', 'copy the tag', async (node?: VersionNode | EventNode) => {
      if (node?.kind === 'event') {
        return copy(node.event.tag, 'the tag');
      }
      return node?.kind === 'version' ? copy(versionTag(node), 'the tag') : undefined;
    }),
    command('gto.registry.copyVersion', 'copy the version', async (node?: VersionNode) =>
      node?.kind === 'version' ? copy(node.version.version, 'the version') : undefined,
    ),
    command('gto.registry.openAtVersion', 'open the files at this version', async (node?: VersionNode) => {
      if (node?.kind !== 'version') {
        return undefined;
      }
      const { repository, artifact, version } = node;
      const details = await model.versionDetails(repository, artifact.name, version.version).catch(() => undefined);
      const files = [details?.annotation?.file ?? artifact.annotations[0]?.file, artifact.path].filter((f): f is string => !!f);
      const opened: string[] = [];
      for (const [i, file] of [...new Set(files)].entries()) {
        const uri = toUri(gitFileUri({ repository, commit: version.commit, path: file }));
        const doc = await vscode.workspace.openTextDocument(uri);
        await vscode.window.showTextDocument(doc, { preview: false, viewColumn: i === 0 ? vscode.ViewColumn.Active : vscode.ViewColumn.Beside });
        opened.push(uri.toString());
      }
      if (opened.length === 0) {
        void vscode.window.showInformationMessage(`GTO: ${artifact.name} has no annotations file or path to open.`);
      }
      return opened;
    }),
    command('gto.registry.revealAnnotation', 'reveal in the annotations file', async (node?: ArtifactNode) => {
      const places = node?.kind === 'artifact' ? node.artifact.annotations : [];
      if (!node || places.length === 0) {
        void vscode.window.showInformationMessage(`GTO: ${node ? `${artifactOf(node)?.name} is only in GTO tags: no annotations file declares it` : 'pick an artifact in the Registry view'}.`);
        return undefined;
      }
      const place =
        places.length === 1
          ? places[0]
          : (await vscode.window.showQuickPick(places.map((p) => ({ label: p.file, place: p })), { title: `GTO: ${node.artifact.name} is annotated in ${places.length} files` }))?.place;
      if (!place) {
        return undefined;
      }
      const r = place.range;
      const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
      const editor = await vscode.window.showTextDocument(vscode.Uri.parse(place.uri), { selection: range, preview: false });
      editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      return editor.document.uri.toString();
    }),
    command('gto.registry.pushTags', 'push tags', async (node?: ArtifactNode) => {
      if (node?.kind !== 'artifact') {
        return undefined;
      }
      const tags = await model.tagsOf(node.repository, node.artifact.name);
      if (tags.length === 0) {
        void vscode.window.showInformationMessage(`GTO: ${node.artifact.name} has no GTO tags to push.`);
        return undefined;
      }
      return d.runFlow('pushTags', node.repository, { repository: node.repository, name: node.artifact.name, tags });
    }),
    command('gto.registry.history', 'show the history', async (node?: RegistryNode) => {
      const repository = node?.repository ?? (await d.pickRepository());
      if (!repository) {
        return undefined;
      }
      const artifact = node ? artifactOf(node) : undefined;
      const open = await d.history.show({ repository, ...(artifact ? { name: artifact.name } : {}) });
      return open ? { rows: open.rows.length } : undefined;
    }),
    command('gto.registry.compare', 'compare versions', async (arg?: VersionNode | { node: VersionNode; other: string }) => {
      const node = arg && 'node' in arg ? arg.node : arg;
      if (node?.kind !== 'version') {
        return undefined;
      }
      const preset = arg && 'other' in arg ? node.siblings.find((v) => v.version === arg.other) : undefined;
      const other = preset ?? (await pickOtherVersion(d.prompter, node.artifact.name, node.version, node.siblings));
      if (!other) {
        if (node.siblings.length < 2) {
          void vscode.window.showInformationMessage(`GTO: ${node.artifact.name} has no other version to compare with.`);
        }
        return undefined;
      }
      const c = comparison(node.repository, node.artifact.name, node.version, other, node.siblings);
      await vscode.commands.executeCommand('vscode.diff', toUri(c.left), toUri(c.right), c.title, { preview: false });
      return c;
    }),
  ];
}

/** Enter on a history row: reveal its version's node (expanded to it) in the Registry view. */
export async function revealRow(provider: RegistryTreeProvider, model: RegistryModel, repository: string, row: HistoryRow): Promise<boolean> {
  const version = row.version ?? row.commit;
  const node = await model.findVersion(repository, row.artifact, version).catch(() => undefined);
  if (!node) {
    return false;
  }
  await provider.view.reveal(node, { select: true, focus: true, expand: false });
  return true;
}
