/**
 * What Annotate starts with when run on a file or folder (the palette's active editor, the explorer): a name,
 * type and path suggested from its repository-relative path. Pure: vscode/prefill.ts finds the path.
 */
import type { AnnotatePrefill } from './contract';
import { suggestName, suggestType } from './names';

/** GTO's and DVC's own files: never an artifact, so the palette suggests nothing from them. */
const OWN_FILES = new Set(['artifacts.yaml', '.gto', 'dvc.yaml', 'dvc.lock']);

export function isOwnFile(baseName: string): boolean {
  return OWN_FILES.has(baseName);
}

/** Name, type and path suggested for a repository-relative file or folder (no name when none is usable). */
export function suggestedPrefill(rel: string, isFolder = false): AnnotatePrefill {
  const name = suggestName(rel, isFolder);
  return { ...(name ? { name } : {}), type: suggestType(rel, isFolder), path: rel };
}
