/** The read-only `gto-git:` (a file at a commit) and `gto-registry:` (a version's details) documents. */
import * as vscode from 'vscode';
import type { ServerApi } from '../common/contract';
import { documentText, GIT_SCHEME, REGISTRY_SCHEME, type DocUri } from '../common/registryDocs';

export function toUri(d: DocUri): vscode.Uri {
  return vscode.Uri.from({ scheme: d.scheme, path: d.path, query: d.query });
}

export function registerRegistryDocuments(server: Pick<ServerApi, 'gitFile' | 'versionDetails'>): vscode.Disposable {
  const provider: vscode.TextDocumentContentProvider = {
    provideTextDocumentContent: (uri) => documentText(server, { scheme: uri.scheme, query: uri.query }),
  };
  return vscode.Disposable.from(
    vscode.workspace.registerTextDocumentContentProvider(GIT_SCHEME, provider),
    vscode.workspace.registerTextDocumentContentProvider(REGISTRY_SCHEME, provider),
  );
}
