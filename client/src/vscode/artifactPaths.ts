/**
 * The `gto.artifactPaths` context key: the absolute paths that an artifact is annotated with (artifacts.yaml and
 * every dvc.yaml, from the server's context), so the explorer offers Register/Assign/Deprecate on those files only
 * (`resourcePath in gto.artifactPaths`). Refreshed when the server starts and when an annotation file is saved.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { allEntries, isAnnotationFileName } from '../common/annotationFiles';
import type { ServerApi } from '../common/contract';
import { foldersWithRepository, gitRootOf } from './repository';

export const ARTIFACT_PATHS_KEY = 'gto.artifactPaths';

export async function updateArtifactPaths(server: ServerApi, log: (m: string) => void): Promise<void> {
  const paths: Record<string, true> = {};
  const roots = new Set(foldersWithRepository().map((f) => gitRootOf(f.uri.fsPath) ?? f.uri.fsPath));
  for (const root of roots) {
    try {
      const ctx = await server.context(root);
      if (!ctx.ok) {
        continue;
      }
      for (const e of allEntries(ctx)) {
        if (e.info.path && !e.info.path.includes('://') && !e.info.path.includes('${')) {
          paths[path.join(ctx.root, ...e.info.path.split('/'))] = true;
        }
      }
    } catch (err) {
      log(`artifact paths of ${root}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  await vscode.commands.executeCommand('setContext', ARTIFACT_PATHS_KEY, paths);
}

/** Keeps the key up to date: now, on each server start and on each save of artifacts.yaml or a dvc.yaml. */
export function watchArtifactPaths(
  server: ServerApi & { onDidChangeState: vscode.Event<'running' | 'stopped' | 'failed'> },
  log: (m: string) => void,
): vscode.Disposable {
  let timer: NodeJS.Timeout | undefined;
  const later = (): void => {
    if (timer) {
      clearTimeout(timer);
    }
    timer = setTimeout(() => void updateArtifactPaths(server, log), 300);
  };
  const subs = [
    server.onDidChangeState((s) => s === 'running' && later()),
    vscode.workspace.onDidSaveTextDocument((d) => {
      if (d.uri.scheme === 'file' && isAnnotationFileName(path.basename(d.uri.fsPath))) {
        later();
      }
    }),
  ];
  return {
    dispose: () => {
      if (timer) {
        clearTimeout(timer);
      }
      subs.forEach((s) => s.dispose());
    },
  };
}
