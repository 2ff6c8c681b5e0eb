/**
 * The Registry view (`gto.registry` in the GTO activity-bar container) over common/registryTree.ts: TreeItems
 * from the model's values, version details as the tooltip on hover (resolveTreeItem), greyed labels through a
 * FileDecorationProvider on the nodes' own `gto-node:` URIs, the filter in the view's description and message,
 * and the context keys of the view title's buttons.
 */
import * as vscode from 'vscode';
import { present, problemLines, problemsOf, type RegistryModel, type RegistryNode } from '../common/registryTree';

export const VIEW_ID = 'gto.registry';
const NODE_SCHEME = 'gto-node';
export const FILTERED_KEY = 'gto.registry.filtered';
export const SHOW_DEPRECATED_KEY = 'gto.registry.showDeprecated';

export class RegistryTreeProvider implements vscode.TreeDataProvider<RegistryNode>, vscode.FileDecorationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RegistryNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly decorations = new vscode.EventEmitter<undefined>();
  readonly onDidChangeFileDecorations = this.decorations.event;
  readonly view: vscode.TreeView<RegistryNode>;
  private readonly disposables: vscode.Disposable[] = [];
  /** Fires after the view asked for the children again following a change (the in-editor tests wait on it). */
  private readonly loadedEmitter = new vscode.EventEmitter<void>();
  readonly onDidLoad = this.loadedEmitter.event;

  constructor(readonly model: RegistryModel) {
    this.view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      this.changed,
      this.decorations,
      this.loadedEmitter,
      vscode.window.registerFileDecorationProvider(this),
      model.onDidChange(() => {
        this.changed.fire(undefined);
        this.decorations.fire(undefined);
        this.updateTitle();
      }),
    );
    this.updateTitle();
  }

  private updateTitle(): void {
    const filter = this.model.describeFilter();
    this.view.description = filter || undefined;
    this.view.message = this.model.filtered ? `Filtered: ${filter}. Clear the filter with the ✕ button.` : undefined;
    void vscode.commands.executeCommand('setContext', FILTERED_KEY, this.model.filtered);
    void vscode.commands.executeCommand('setContext', SHOW_DEPRECATED_KEY, this.model.showDeprecated);
  }

  getTreeItem(node: RegistryNode): vscode.TreeItem {
    const v = present(node, this.model.now());
    const state = {
      none: vscode.TreeItemCollapsibleState.None,
      collapsed: vscode.TreeItemCollapsibleState.Collapsed,
      expanded: vscode.TreeItemCollapsibleState.Expanded,
    }[v.collapsible];
    const item = new vscode.TreeItem(v.label, state);
    item.id = node.id;
    item.description = v.description;
    item.tooltip = node.kind === 'message' || node.kind === 'repository' ? v.tooltip : new vscode.MarkdownString(v.tooltip);
    item.iconPath = new vscode.ThemeIcon(v.icon, v.iconColor ? new vscode.ThemeColor(v.iconColor) : undefined);
    item.contextValue = v.contextValue;
    if (v.greyed) {
      item.resourceUri = vscode.Uri.from({ scheme: NODE_SCHEME, path: `/${encodeURIComponent(node.id)}`, query: 'greyed' });
    }
    return item;
  }

  async getChildren(node?: RegistryNode): Promise<RegistryNode[]> {
    const children = await this.model.children(node);
    if (!node) {
      this.loadedEmitter.fire();
    }
    return children;
  }

  getParent(node: RegistryNode): RegistryNode | undefined {
    return this.model.parent(node);
  }

  /** A version's tooltip: the server's details (commit, author, annotation, metrics, params) as markdown. */
  async resolveTreeItem(item: vscode.TreeItem, node: RegistryNode): Promise<vscode.TreeItem> {
    if (node.kind !== 'version') {
      return item;
    }
    try {
      const d = await this.model.versionDetails(node.repository, node.artifact.name, node.version.version);
      // The version's registry problems stay above the server's details.
      const problems = problemLines(problemsOf(node.version)).join('\n');
      item.tooltip = new vscode.MarkdownString(d.ok ? `${problems}${d.markdown}` : `${item.tooltip as string}\n\n${d.message}`);
    } catch {
      // The plain tooltip stays.
    }
    return item;
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== NODE_SCHEME || uri.query !== 'greyed') {
      return undefined;
    }
    return { color: new vscode.ThemeColor('disabledForeground') };
  }

  dispose(): void {
    for (const d of this.disposables) {
      d.dispose();
    }
  }
}
