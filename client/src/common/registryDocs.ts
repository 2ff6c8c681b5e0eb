/**
 * The Registry view's read-only documents and the prompts around them. Pure: the extension serves these as
 * TextDocumentContentProviders (vscode/registryDocuments.ts) and opens them with vscode.diff / showTextDocument.
 *
 * - `gto-git:` a file as committed at a version's commit (`gto.server.gitFile`);
 * - `gto-registry:` a version's details as plain text (`gto.server.versionDetails`' `text`), two of them side by
 *   side for "Compare with...".
 */
import { errorMessage, shortSha } from './actions';
import type { ServerApi, VersionDetail } from './contract';
import type { Prompter } from './prompter';
import { versionLabel } from './registryTree';

export const GIT_SCHEME = 'gto-git';
export const REGISTRY_SCHEME = 'gto-registry';

/** A file at a commit: the document's path is `/<short sha>/<path>` (the tab shows the file's name). */
export interface GitFileRef {
  repository: string;
  commit: string;
  path: string;
}

/** A version's details. The path `/<name>/<version>.yaml` gives the tab a name and YAML colours. */
export interface VersionRef {
  repository: string;
  name: string;
  version: string;
}

/** A URI's parts: path and query (the extension builds the vscode.Uri from them, and reads them back). */
export interface DocUri {
  scheme: string;
  path: string;
  query: string;
}

export function gitFileUri(ref: GitFileRef): DocUri {
  return { scheme: GIT_SCHEME, path: `/${shortSha(ref.commit)}/${ref.path}`, query: JSON.stringify(ref) };
}

export function versionUri(ref: VersionRef): DocUri {
  const safe = (s: string): string => s.replace(/[/\\:]/g, '_');
  return { scheme: REGISTRY_SCHEME, path: `/${safe(ref.name)}/${safe(ref.version)}.yaml`, query: JSON.stringify(ref) };
}

function parse<T>(query: string, keys: (keyof T)[]): T | undefined {
  try {
    const v = JSON.parse(query) as Record<string, unknown>;
    return keys.every((k) => typeof v[k as string] === 'string') ? (v as T) : undefined;
  } catch {
    return undefined;
  }
}

/** The text of a `gto-git:` or `gto-registry:` document; a refusal becomes the document's text, saying why. */
export async function documentText(server: Pick<ServerApi, 'gitFile' | 'versionDetails'>, uri: Omit<DocUri, 'path'>): Promise<string> {
  try {
    if (uri.scheme === GIT_SCHEME) {
      const ref = parse<GitFileRef>(uri.query, ['repository', 'commit', 'path']);
      if (!ref) {
        return `# This gto-git: address is not one the GTO view made (${uri.query}).\n`;
      }
      const res = await server.gitFile(ref);
      return res.ok ? res.text : `# ${ref.path} at ${shortSha(ref.commit)}: ${res.message}\n`;
    }
    const ref = parse<VersionRef>(uri.query, ['repository', 'name', 'version']);
    if (!ref) {
      return `# This gto-registry: address is not one the GTO view made (${uri.query}).\n`;
    }
    const res = await server.versionDetails(ref.repository, ref.name, ref.version);
    return res.ok ? res.text : `# ${ref.name} ${ref.version}: ${res.message}\n`;
  } catch (err) {
    return `# The GTO language server could not answer: ${errorMessage(err)}\n`;
  }
}

export interface Comparison {
  left: DocUri;
  right: DocUri;
  /** `name v1.0.0 ↔ v1.1.0`: the older version on the left. */
  title: string;
}

/**
 * The two documents of "Compare with...": `a` and `b` are versions of one artifact, `order` its versions
 * highest first (as the server lists them), so the older one goes left whichever was clicked.
 */
export function comparison(repository: string, name: string, a: VersionDetail, b: VersionDetail, order: VersionDetail[]): Comparison {
  const rank = (v: VersionDetail): number => order.findIndex((x) => x.version === v.version);
  const [older, newer] = rank(a) >= rank(b) ? [a, b] : [b, a];
  return {
    left: versionUri({ repository, name, version: older.version }),
    right: versionUri({ repository, name, version: newer.version }),
    title: `${name} ${versionLabel(older)} ↔ ${versionLabel(newer)}`,
  };
}

/** Asks which other version of the artifact to compare `current` with; undefined when cancelled or none. */
export async function pickOtherVersion(
  prompter: Prompter,
  name: string,
  current: VersionDetail,
  versions: VersionDetail[],
): Promise<VersionDetail | undefined> {
  const others = versions.filter((v) => v.version !== current.version);
  if (others.length === 0) {
    return undefined;
  }
  const r = await prompter.pick<VersionDetail>({
    id: 'compareWith',
    title: `GTO: Compare ${name} ${versionLabel(current)} with...`,
    step: 1,
    totalSteps: 1,
    placeholder: 'The other version (the older one shows on the left)',
    items: others.map((v) => ({
      label: versionLabel(v),
      description: [v.stages.join(', '), v.active ? '' : 'deregistered', `commit ${shortSha(v.commit)}`].filter((d) => d).join(' · '),
      value: v,
    })),
  });
  return r.kind === 'ok' ? r.value : undefined;
}
