/** The commands' messages, modal questions, progress and document saves, over VS Code's window. */
import * as vscode from 'vscode';
import type { RegistryUi } from '../common/registryFlow';

export function windowUi(): RegistryUi {
  return {
    info: (m) => void vscode.window.showInformationMessage(m),
    error: (m) => void vscode.window.showErrorMessage(m),
    save: saveDocument,
    isDirty: (p) => openDocument(p)?.isDirty ?? false,
    confirm: async (m, button) => (await vscode.window.showWarningMessage(m, { modal: true }, button)) === button,
    infoWith: (m, ...buttons) => Promise.resolve(vscode.window.showInformationMessage(m, ...buttons)),
    progress: (title, work) =>
      Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, () => work())),
  };
}

/** The open document at an absolute path or a URI string, if any. */
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
