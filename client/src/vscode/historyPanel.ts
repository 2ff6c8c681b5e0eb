/** The history panel: a webview with common/historyHtml.ts's table, one panel per repository and artifact. */
import * as crypto from 'crypto';
import * as path from 'path';
import * as vscode from 'vscode';
import type { HistoryRow, ServerApi } from '../common/contract';
import { fullMessage } from '../common/contract';
import { historyHtml, type HistoryMessage } from '../common/historyHtml';

export interface HistoryTarget {
  repository: string;
  /** One artifact's history; absent: the whole repository's. */
  name?: string;
}

export interface OpenHistory {
  panel: vscode.WebviewPanel;
  rows: HistoryRow[];
  target: HistoryTarget;
}

export class HistoryPanels implements vscode.Disposable {
  private readonly open = new Map<string, OpenHistory>();
  /** The last panel shown (the in-editor tests read its rows and html). */
  last: OpenHistory | undefined;

  constructor(
    private readonly server: Pick<ServerApi, 'history'>,
    /** Enter on a row: reveal the row's version in the tree (false when it is not there). */
    private readonly reveal: (repository: string, row: HistoryRow) => Promise<boolean>,
  ) {}

  async show(target: HistoryTarget, focus = true): Promise<OpenHistory | undefined> {
    const res = await this.server.history(target.repository, target.name);
    if (!res.ok) {
      void vscode.window.showErrorMessage(`GTO: ${fullMessage(res)}`);
      return undefined;
    }
    const key = `${target.repository}\0${target.name ?? ''}`;
    const title = target.name ? `History of ${target.name}` : `GTO history of ${path.basename(target.repository)}`;
    let entry = this.open.get(key);
    if (!entry) {
      const panel = vscode.window.createWebviewPanel('gto.history', title, vscode.ViewColumn.Active, {
        enableScripts: true,
        localResourceRoots: [],
        retainContextWhenHidden: false,
      });
      const made: OpenHistory = { panel, rows: res.rows, target };
      entry = made;
      this.open.set(key, made);
      panel.onDidDispose(() => {
        this.open.delete(key);
        if (this.last === made) {
          this.last = undefined;
        }
      });
      panel.webview.onDidReceiveMessage((m: HistoryMessage) => void this.answer(made, m));
    } else {
      entry.rows = res.rows;
      if (focus) {
        entry.panel.reveal();
      }
    }
    const nonce = crypto.randomBytes(16).toString('base64');
    entry.panel.webview.html = historyHtml(res.rows, {
      nonce,
      cspSource: entry.panel.webview.cspSource,
      title,
      withArtifact: !target.name,
      nowMs: Date.now(),
    });
    this.last = entry;
    return entry;
  }

  private async answer(entry: OpenHistory, m: HistoryMessage): Promise<void> {
    const row = entry.rows[m.index];
    if (!row) {
      return;
    }
    if (m.type === 'reveal' && (await this.reveal(entry.target.repository, row))) {
      return;
    }
    await vscode.env.clipboard.writeText(row.ref);
    void vscode.window.showInformationMessage(`GTO: copied the tag ${row.ref}`);
  }

  /** Reloads the open panels (the tags changed). */
  async refresh(repository?: string): Promise<void> {
    for (const entry of [...this.open.values()]) {
      if (!repository || entry.target.repository === repository) {
        await this.show(entry.target, false);
      }
    }
  }

  dispose(): void {
    for (const e of this.open.values()) {
      e.panel.dispose();
    }
    this.open.clear();
  }
}
