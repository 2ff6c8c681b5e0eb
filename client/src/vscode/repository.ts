/**
 * Which git repository a command works on, and the `gto.hasRepository` context key that shows the
 * repository commands only where there is one.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

export const HAS_REPOSITORY_KEY = 'gto.hasRepository';

/** The folder holding `.git` at or above `start`, or undefined. */
export function gitRootOf(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, '.git'))) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      return undefined;
    }
    dir = parent;
  }
}

/** The repository holding the file or folder `fsPath`, and its repository-relative posix path; undefined outside one. */
export function relativeToRoot(fsPath: string): { root: string; rel: string } | undefined {
  const root = gitRootOf(path.dirname(fsPath));
  if (!root) {
    return undefined;
  }
  const rel = path.relative(root, fsPath).split(path.sep).join('/');
  return rel && !rel.startsWith('..') ? { root, rel } : undefined;
}

export function foldersWithRepository(): vscode.WorkspaceFolder[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file' && gitRootOf(f.uri.fsPath));
}

export async function updateHasRepository(): Promise<boolean> {
  const has = foldersWithRepository().length > 0;
  await vscode.commands.executeCommand('setContext', HAS_REPOSITORY_KEY, has);
  return has;
}

/**
 * The repository folder for a command: the one given, else the one holding `uri` (or the active editor's
 * file), else the only workspace folder with a repository, else the user's pick. Undefined when there is none.
 */
export async function pickRepository(given?: string, uri?: vscode.Uri): Promise<string | undefined> {
  if (given) {
    return given;
  }
  const target = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (target?.scheme === 'file') {
    const folder = vscode.workspace.getWorkspaceFolder(target);
    if (folder) {
      return folder.uri.fsPath;
    }
    const root = gitRootOf(path.dirname(target.fsPath));
    if (root) {
      return root;
    }
  }
  const folders = foldersWithRepository();
  if (folders.length === 0) {
    void vscode.window.showErrorMessage('GTO: no git repository is open. Open the folder of a git repository first.');
    return undefined;
  }
  if (folders.length === 1) {
    return folders[0]?.uri.fsPath;
  }
  const picked = await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Repository for GTO' });
  return picked?.uri.fsPath;
}
