/**
 * What a command starts with, from where it was run: a code action's or code lens's argument, the explorer's
 * file or folder, or the active editor's file.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { isAnnotationFileName } from '../common/annotationFiles';
import type { AnnotatePrefill, RegistryPrefill } from '../common/contract';
import { isOwnFile, suggestedPrefill } from '../common/prefill';
import type { RegistryPrefillWithPath } from '../common/registryFlow';
import { relativeToRoot } from './repository';

/** A command argument from a code action or code lens (an object), not the explorer's Uri. */
export function isCommandArg(x: unknown): x is object {
  return typeof x === 'object' && x !== null && !(x instanceof vscode.Uri);
}

/**
 * A command argument without `file` (a code action of artifacts.yaml, whose server does not name it) targets the
 * annotation file in the active editor, so the file question is not asked there.
 */
export function withEditorFile<T extends { repository?: string; file?: string }>(prefill: T): T {
  const doc = vscode.window.activeTextEditor?.document;
  if (prefill.file || !doc || doc.uri.scheme !== 'file') {
    return prefill;
  }
  const where = relativeToRoot(doc.uri.fsPath);
  if (!where || !isAnnotationFileName(where.rel)) {
    return prefill;
  }
  if (prefill.repository && path.resolve(prefill.repository) !== path.resolve(where.root)) {
    return prefill;
  }
  return { ...prefill, file: where.rel };
}

/** Palette: suggest name, type and path from the active editor's file (not an annotation file itself). */
export function activeFilePrefill(): AnnotatePrefill {
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc || doc.uri.scheme !== 'file' || isOwnFile(path.basename(doc.uri.fsPath))) {
    return {};
  }
  const where = relativeToRoot(doc.uri.fsPath);
  return where ? suggestedPrefill(where.rel) : {};
}

/** Explorer: the clicked file or folder is the path; name and type are suggested from it. */
export async function explorerPrefill(uri: vscode.Uri): Promise<AnnotatePrefill> {
  if (uri.scheme !== 'file') {
    return {};
  }
  const where = relativeToRoot(uri.fsPath);
  if (!where) {
    return {};
  }
  let isFolder = false;
  try {
    isFolder = (await fs.promises.stat(uri.fsPath)).isDirectory();
  } catch {
    // deleted meanwhile: treat as a file
  }
  return suggestedPrefill(where.rel, isFolder);
}

/**
 * Register / Assign / Deprecate: the code lens passes {repository, name}, the palette nothing, the explorer its
 * Uri (then the artifact is the one annotated with that path).
 */
export function registryPrefill(arg?: RegistryPrefill | vscode.Uri): { prefill: RegistryPrefillWithPath; uri?: vscode.Uri } {
  if (!(arg instanceof vscode.Uri)) {
    return { prefill: isCommandArg(arg) ? { ...arg } : {} };
  }
  const where = arg.scheme === 'file' ? relativeToRoot(arg.fsPath) : undefined;
  return { prefill: where ? { path: where.rel } : {}, uri: arg };
}
