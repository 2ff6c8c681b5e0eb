/**
 * The files that hold annotations (GTO's artifacts.yaml, DVC's dvc.yaml files), as the server's context lists
 * them: which to offer as a target, full names (`sub/dir:name`), and the entries each holds. Pure.
 */
import type { AnnotationFile, AnnotationFormat, ArtifactInfo, RepositoryContext } from './contract';
import type { PickItem } from './prompter';

export const ROOT_DVC = 'dvc.yaml';

type FilesContext = Pick<RepositoryContext, 'root' | 'indexPath' | 'artifacts' | 'annotationFiles' | 'defaultFile' | 'dvcArtifacts'>;

/** artifacts.yaml relative to the root (posix). */
export function indexRelative(context: Pick<RepositoryContext, 'root' | 'indexPath'>): string {
  const root = context.root.replace(/\\/g, '/').replace(/\/+$/, '');
  const index = context.indexPath.replace(/\\/g, '/');
  return index.startsWith(root + '/') ? index.slice(root.length + 1) : 'artifacts.yaml';
}

/** The annotation files; a server without dvc.yaml support gives none: then artifacts.yaml alone. */
export function annotationFiles(ctx: FilesContext): AnnotationFile[] {
  if (ctx.annotationFiles && ctx.annotationFiles.length > 0) {
    return ctx.annotationFiles;
  }
  return [{ file: indexRelative(ctx), format: 'gto', exists: true, artifacts: Object.keys(ctx.artifacts).length }];
}

export function formatOf(ctx: FilesContext, file: string): AnnotationFormat {
  const known = annotationFiles(ctx).find((f) => f.file === file);
  if (known) {
    return known.format;
  }
  return file === 'dvc.yaml' || file.endsWith('/dvc.yaml') ? 'dvc' : 'gto';
}

/** Is this repository-relative file an annotation file by its name (artifacts.yaml or a dvc.yaml)? */
export function isAnnotationFileName(file: string): boolean {
  const base = file.slice(file.lastIndexOf('/') + 1);
  return base === 'artifacts.yaml' || base === 'dvc.yaml';
}

/** The folder of a repository-relative file, '' at the root. */
export function folderOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i < 0 ? '' : file.slice(0, i);
}

/** DVC's full name of `name` declared in `file` (`sub/dir:name`; the plain name in the root dvc.yaml and artifacts.yaml). */
export function fullName(file: string, format: AnnotationFormat, name: string): string {
  const dir = format === 'dvc' ? folderOf(file) : '';
  return dir ? `${dir}:${name}` : name;
}

/** Normalises a posix path: drops `.` and empty segments, folds `..` (kept when it leaves the start). */
export function normalizePath(p: string): string {
  const out: string[] = [];
  for (const seg of p.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') {
      continue;
    }
    if (seg === '..' && out.length > 0 && out[out.length - 1] !== '..') {
      out.pop();
    } else {
      out.push(seg);
    }
  }
  return out.join('/');
}

/** The entries `file` declares, by plain name (paths repository-relative, as the server gives them). */
export function artifactsIn(ctx: FilesContext, file: string): Record<string, ArtifactInfo> {
  if (formatOf(ctx, file) === 'gto') {
    return file === indexRelative(ctx) ? ctx.artifacts : {};
  }
  return ctx.dvcArtifacts?.[file] ?? {};
}

/** The dvc.yaml closest to `path`: in its folder or the nearest folder above holding one; undefined when none exists. */
export function nearestDvcFile(files: readonly AnnotationFile[], path: string): string | undefined {
  const existing = new Set(files.filter((f) => f.format === 'dvc' && f.exists).map((f) => f.file));
  let dir = folderOf(normalizePath(path));
  for (;;) {
    const candidate = dir ? `${dir}/dvc.yaml` : ROOT_DVC;
    if (existing.has(candidate)) {
      return candidate;
    }
    if (!dir) {
      return undefined;
    }
    dir = folderOf(dir);
  }
}

function countText(n: number): string {
  return n === 1 ? '1 artifact' : `${n} artifacts`;
}

/**
 * The files to offer as the target of an annotate: the default file (where the repository already annotates)
 * first, then the root dvc.yaml, the dvc.yaml nearest the artifact's path, artifacts.yaml, and the other dvc.yaml
 * files. Each item says its format, its size or that it will be created, and why it is offered.
 */
export function targetChoices(ctx: FilesContext, path?: string): PickItem<string>[] {
  const files = annotationFiles(ctx);
  const byFile = new Map(files.map((f) => [f.file, f]));
  const gto = files.find((f) => f.format === 'gto')?.file ?? indexRelative(ctx);
  const nearest = path ? nearestDvcFile(files, path) : undefined;
  const order: string[] = [];
  const add = (f: string | undefined): void => {
    if (f && !order.includes(f) && (byFile.has(f) || f === ROOT_DVC)) {
      order.push(f);
    }
  };
  add(ctx.defaultFile);
  if (files.some((f) => f.format === 'dvc')) {
    add(ROOT_DVC);
  }
  add(nearest);
  add(gto);
  for (const f of files) {
    if (f.format === 'dvc' && f.exists) {
      add(f.file);
    }
  }
  return order.map((file) => {
    const info = byFile.get(file);
    const format = info?.format ?? formatOf(ctx, file);
    const parts = [format === 'dvc' ? 'DVC' : "GTO's legacy file"];
    parts.push(info && info.exists ? countText(info.artifacts) : 'will be created');
    if (file === ctx.defaultFile) {
      parts.push('where this repository annotates');
    } else if (file === nearest && nearest !== ROOT_DVC && path) {
      parts.push(`nearest to ${path}`);
    }
    const dir = format === 'dvc' ? folderOf(file) : '';
    return {
      label: file,
      description: parts.join(' · '),
      ...(dir ? { detail: `names become ${dir}:NAME, paths are written relative to ${dir}/` } : {}),
      value: file,
    };
  });
}

/** An absolute path for a repository-relative file (the root's own separator). */
export function absolutePath(ctx: Pick<RepositoryContext, 'root' | 'indexPath'>, file: string): string {
  if (file === indexRelative(ctx)) {
    return ctx.indexPath;
  }
  const sep = ctx.root.includes('\\') && !ctx.root.includes('/') ? '\\' : '/';
  return ctx.root.replace(/[\\/]+$/, '') + sep + file.split('/').join(sep);
}

export interface AnnotatedEntry {
  file: string;
  format: AnnotationFormat;
  name: string;
  fullName: string;
  info: ArtifactInfo;
}

/** Every entry of every annotation file, artifacts.yaml first, then the dvc.yaml files in the context's order. */
export function allEntries(ctx: FilesContext): AnnotatedEntry[] {
  const out: AnnotatedEntry[] = [];
  for (const f of annotationFiles(ctx)) {
    for (const [name, info] of Object.entries(artifactsIn(ctx, f.file))) {
      out.push({ file: f.file, format: f.format, name, fullName: fullName(f.file, f.format, name), info });
    }
  }
  return out;
}
