/**
 * The Registry view's model: repositories -> artifacts -> versions -> tag events, read from the server
 * (`gto.server.registry`, `gto.server.artifactVersions`), filtered, and presented as plain values (label,
 * description, icon, context value) that vscode/registryView.ts turns into TreeItems. Pure: tests drive it with a
 * fake server.
 *
 * Answers are cached per repository until `refresh` (the server's `gto/registryChanged`, the extension's own
 * register/assign/deprecate, the server's restart), so expanding and collapsing costs no request.
 */
import type {
  ArtifactVersions,
  RegistryArtifact,
  RegistryEvent,
  RegistryOverview,
  ServerApi,
  VersionDetail,
  VersionDetails,
} from './contract';
import { errorMessage, shortSha } from './actions';
import { absoluteTime, relativeTime } from './time';

export interface RegistryFilter {
  stage?: string;
  type?: string;
  label?: string;
  /** Case-insensitive text in the name, type, path, description, labels or latest version. */
  text?: string;
}

interface Base {
  /** Stable across refreshes (the tree keeps expansion and selection by it). */
  id: string;
  repository: string;
}

export interface RepositoryNode extends Base {
  kind: 'repository';
}
export interface ArtifactNode extends Base {
  kind: 'artifact';
  artifact: RegistryArtifact;
  /** The repository's stage columns, for the order of the badges. */
  stageOrder: string[];
}
export interface VersionNode extends Base {
  kind: 'version';
  artifact: RegistryArtifact;
  version: VersionDetail;
  /** The other versions of the artifact (compare offers them). */
  siblings: VersionDetail[];
}
export interface EventNode extends Base {
  kind: 'event';
  artifact: RegistryArtifact;
  version: VersionDetail | undefined;
  event: RegistryEvent;
}
export interface MessageNode extends Base {
  kind: 'message';
  text: string;
  tooltip?: string;
  severity: 'info' | 'warning';
}

/**
 * A registry problem the server found in GTO's tags (`problems` on an artifact of `gto.server.registry` and on a
 * version of `gto.server.artifactVersions`, present only when there are some): core/registry/integrity.py.
 */
export interface RegistryProblem {
  code: string;
  severity: 'error' | 'warning' | 'information' | 'hint';
  message: string;
  version: string | null;
  tags: string[];
  /** Git commands that fix it locally (shown; `gto-lsp check --registry --fix` runs them). */
  fix: string[];
}

/** The problems an artifact or version of the server's answers carries (none when the field is absent). */
export function problemsOf(value: object): RegistryProblem[] {
  const found = (value as { problems?: unknown }).problems;
  return Array.isArray(found) ? (found as RegistryProblem[]) : [];
}

/** The problems' lines of a tooltip (Markdown), empty without problems. */
export function problemLines(problems: RegistryProblem[]): string[] {
  if (!problems.length) {
    return [];
  }
  return ['**Registry problems**', '', ...problems.map((p) => `- ${p.severity} \`${p.code}\`: ${p.message}`), ''];
}

/** The icon of a node with problems: the worst one's, with its theme color; undefined without problems. */
function problemIcon(problems: RegistryProblem[]): { icon: string; iconColor: string } | undefined {
  if (problems.some((p) => p.severity === 'error')) {
    return { icon: 'error', iconColor: 'problemsErrorIcon.foreground' };
  }
  if (problems.some((p) => p.severity === 'warning')) {
    return { icon: 'warning', iconColor: 'problemsWarningIcon.foreground' };
  }
  return undefined;
}

/** Errors and warnings mark a node (icon, count); a note (an undeclared artifact is what "tags only" already
 * says) stays in the tooltip only. */
function marking(problems: RegistryProblem[]): RegistryProblem[] {
  return problems.filter((p) => p.severity === 'error' || p.severity === 'warning');
}

function problemCount(problems: RegistryProblem[]): string {
  return problems.length ? `${problems.length} problem${problems.length === 1 ? '' : 's'}` : '';
}

export type RegistryNode = RepositoryNode | ArtifactNode | VersionNode | EventNode | MessageNode;

/** A TreeItem as values: vscode/registryView.ts maps them one to one. */
export interface NodeView {
  label: string;
  description: string;
  /** Markdown (the event's and artifact's details); version nodes get theirs from the server on hover. */
  tooltip: string;
  icon: string;
  /** A theme color id for the icon (greyed nodes), or undefined. */
  iconColor?: string;
  /** Shown dimmed: a deprecated artifact, a deregistered version. */
  greyed: boolean;
  /** Space-separated flags the menus' `viewItem =~ /\bflag\b/` clauses test. */
  contextValue: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
}

type Listener = (repository: string | undefined) => void;

/** Caps on what one repository shows, so a registry of 10,000 tags stays a tree a person can read. */
export const MAX_ARTIFACTS = 2000;
export const MAX_VERSIONS = 500;
export const MAX_EVENTS = 200;

export class RegistryModel {
  filter: RegistryFilter = {};
  showDeprecated = true;
  private readonly overviews = new Map<string, Promise<RegistryOverview>>();
  private readonly versions = new Map<string, Promise<ArtifactVersions>>();
  private readonly details = new Map<string, Promise<VersionDetails>>();
  /** The root the server answered for each repository folder (a folder may be inside its repository). */
  private readonly rootOf = new Map<string, string>();
  /** The nodes last handed out, by id: `parent` answers the same objects the tree holds. */
  private readonly nodes = new Map<string, RegistryNode>();
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly server: Pick<ServerApi, 'registry' | 'artifactVersions' | 'versionDetails'>,
    private readonly repositories: () => string[],
    readonly now: () => number = Date.now,
  ) {}

  onDidChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private fire(repository?: string): void {
    for (const l of this.listeners) {
      l(repository);
    }
  }

  /** Drops the cached answers of `repository` (a folder or the root the server named), or of all. */
  refresh(repository?: string): void {
    const folders = repository === undefined ? undefined : this.foldersOf(repository);
    for (const folder of folders ?? [...this.overviews.keys()]) {
      this.overviews.delete(folder);
      for (const cache of [this.versions, this.details]) {
        for (const key of [...cache.keys()]) {
          if (key.startsWith(`${folder}\0`)) {
            cache.delete(key);
          }
        }
      }
    }
    this.nodes.clear();
    if (folders === undefined) {
      this.versions.clear();
      this.details.clear();
    }
    this.fire(folders?.length === 1 ? folders[0] : undefined);
  }

  /** The repository folders a root (from the server's notification) or folder names; all when none matches. */
  private foldersOf(repository: string): string[] | undefined {
    const all = this.repositories();
    const found = all.filter((f) => f === repository || this.rootOf.get(f) === repository);
    return found.length ? found : undefined;
  }

  setFilter(filter: RegistryFilter): void {
    const clean: RegistryFilter = {};
    for (const key of ['stage', 'type', 'label', 'text'] as const) {
      const v = filter[key]?.trim();
      if (v) {
        clean[key] = v;
      }
    }
    this.filter = clean;
    this.fire(undefined);
  }

  toggleDeprecated(): boolean {
    this.showDeprecated = !this.showDeprecated;
    this.fire(undefined);
    return this.showDeprecated;
  }

  get filtered(): boolean {
    return Object.keys(this.filter).length > 0;
  }

  /** The view's description: the active filter and what it hides. */
  describeFilter(): string {
    const f = this.filter;
    const parts = [
      f.text ? `"${f.text}"` : '',
      f.stage ? `stage: ${f.stage}` : '',
      f.type ? `type: ${f.type}` : '',
      f.label ? `label: ${f.label}` : '',
      this.showDeprecated ? '' : 'deprecated hidden',
    ];
    return parts.filter((p) => p).join(' · ');
  }

  overview(repository: string): Promise<RegistryOverview> {
    let p = this.overviews.get(repository);
    if (!p) {
      p = this.server.registry(repository).then((o) => {
        if (o.ok && o.repository) {
          this.rootOf.set(repository, o.repository);
        }
        return o;
      });
      this.overviews.set(repository, p);
      // A failed call is not cached: the next expand asks again.
      p.catch(() => this.overviews.delete(repository));
    }
    return p;
  }

  artifactVersions(repository: string, name: string): Promise<ArtifactVersions> {
    return cached(this.versions, `${repository}\0${name}`, () => this.server.artifactVersions(repository, name));
  }

  versionDetails(repository: string, name: string, version: string): Promise<VersionDetails> {
    return cached(this.details, `${repository}\0${name}\0${version}`, () => this.server.versionDetails(repository, name, version));
  }

  /** The top level: a node per repository when there are several, else the one repository's artifacts. */
  private async top(): Promise<RegistryNode[]> {
    const repos = this.repositories();
    if (repos.length === 1) {
      return this.artifactNodes(repos[0] as string);
    }
    return repos.map((repository) => ({ kind: 'repository', id: `r:${repository}`, repository }));
  }

  async children(node?: RegistryNode): Promise<RegistryNode[]> {
    const nodes = await this.childrenOf(node);
    for (const n of nodes) {
      this.nodes.set(n.id, n);
    }
    return nodes;
  }

  private childrenOf(node?: RegistryNode): Promise<RegistryNode[]> | RegistryNode[] {
    if (!node) {
      return this.top();
    }
    switch (node.kind) {
      case 'repository':
        return this.artifactNodes(node.repository);
      case 'artifact':
        return this.versionNodes(node);
      case 'version':
        return node.version.events.slice(0, MAX_EVENTS).map((event) => eventNode(node.repository, node.artifact, node.version, event));
      default:
        return [];
    }
  }

  /** The node above `node` (the tree's reveal walks up with it). */
  parent(node: RegistryNode): RegistryNode | undefined {
    const made = this.makeParent(node);
    return made ? (this.nodes.get(made.id) ?? made) : undefined;
  }

  private makeParent(node: RegistryNode): RegistryNode | undefined {
    const repo: RepositoryNode | undefined =
      this.repositories().length > 1 ? { kind: 'repository', id: `r:${node.repository}`, repository: node.repository } : undefined;
    switch (node.kind) {
      case 'artifact':
        return repo;
      case 'version':
        return { kind: 'artifact', id: artifactId(node.repository, node.artifact.name), repository: node.repository, artifact: node.artifact, stageOrder: [] };
      case 'event':
        if (node.version) {
          return versionNode(node.repository, node.artifact, node.version, []);
        }
        return { kind: 'artifact', id: artifactId(node.repository, node.artifact.name), repository: node.repository, artifact: node.artifact, stageOrder: [] };
      case 'message':
        return node.id.startsWith('m:a:') ? undefined : repo;
      default:
        return undefined;
    }
  }

  private async artifactNodes(repository: string): Promise<RegistryNode[]> {
    let o: RegistryOverview;
    try {
      o = await this.overview(repository);
    } catch (err) {
      return [message(repository, 'error', `Cannot read the registry: ${errorMessage(err)}`, 'warning')];
    }
    if (!o.ok) {
      return [message(repository, 'error', o.message, 'warning')];
    }
    const nodes: RegistryNode[] = [];
    if (o.error) {
      nodes.push(message(repository, 'gto-error', `GTO cannot read this registry: ${o.error}`, 'warning'));
    }
    const shown = o.artifacts.filter((a) => this.matches(a));
    for (const artifact of shown.slice(0, MAX_ARTIFACTS)) {
      nodes.push({ kind: 'artifact', id: artifactId(repository, artifact.name), repository, artifact, stageOrder: o.stages });
    }
    if (shown.length > MAX_ARTIFACTS) {
      nodes.push(message(repository, 'more', `${shown.length - MAX_ARTIFACTS} more artifacts: filter to see them`, 'info'));
    }
    if (shown.length === 0 && !o.error) {
      const hidden = o.artifacts.length;
      nodes.push(
        hidden === 0
          ? message(repository, 'empty', 'No artifacts: annotate one (GTO: Annotate Artifact...) or register a version', 'info')
          : message(repository, 'empty', `No artifact matches ${this.describeFilter()} (${hidden} hidden): clear the filter`, 'info'),
      );
    }
    return nodes;
  }

  private async versionNodes(node: ArtifactNode): Promise<RegistryNode[]> {
    const { repository, artifact } = node;
    let v: ArtifactVersions;
    try {
      v = await this.artifactVersions(repository, artifact.name);
    } catch (err) {
      return [message(repository, `a:${artifact.name}`, `Cannot read the versions: ${errorMessage(err)}`, 'warning')];
    }
    if (!v.ok) {
      return [message(repository, `a:${artifact.name}`, v.message, 'warning')];
    }
    // The artifact's own events (its deprecation) come first: they concern no version.
    const own = v.events.filter((e) => e.version === null).slice(0, MAX_EVENTS);
    const nodes: RegistryNode[] = own.map((e) => eventNode(repository, artifact, undefined, e));
    for (const version of v.versions.slice(0, MAX_VERSIONS)) {
      nodes.push(versionNode(repository, artifact, version, v.versions));
    }
    if (v.versions.length > MAX_VERSIONS) {
      nodes.push(message(repository, `a:${artifact.name}:more`, `${v.versions.length - MAX_VERSIONS} older versions not shown`, 'info'));
    }
    if (nodes.length === 0) {
      nodes.push(message(repository, `a:${artifact.name}`, 'No versions yet: register one', 'info'));
    }
    return nodes;
  }

  matches(a: RegistryArtifact): boolean {
    const f = this.filter;
    if (!this.showDeprecated && a.deprecated) {
      return false;
    }
    if (f.stage && !(f.stage in a.stages)) {
      return false;
    }
    if (f.type && a.type !== f.type) {
      return false;
    }
    if (f.label && !a.labels.includes(f.label)) {
      return false;
    }
    if (f.text) {
      const needle = f.text.toLowerCase();
      const hay = [a.name, a.type, a.path, a.description, a.latest, ...a.labels].filter((x) => x).join('\n').toLowerCase();
      if (!hay.includes(needle)) {
        return false;
      }
    }
    return true;
  }

  /** What the filter's quick picks offer: the stages, types and labels of the repositories loaded. */
  async choices(): Promise<{ stages: string[]; types: string[]; labels: string[] }> {
    const stages = new Set<string>();
    const types = new Set<string>();
    const labels = new Set<string>();
    for (const repository of this.repositories()) {
      const o = await this.overview(repository).catch(() => undefined);
      if (!o?.ok) {
        continue;
      }
      o.stages.forEach((s) => stages.add(s));
      for (const a of o.artifacts) {
        Object.keys(a.stages).forEach((s) => stages.add(s));
        if (a.type) {
          types.add(a.type);
        }
        a.labels.forEach((l) => labels.add(l));
      }
    }
    const sorted = (s: Set<string>): string[] => [...s].sort();
    return { stages: [...stages], types: sorted(types), labels: sorted(labels) };
  }

  /** The version node of `name` at `version` (a version or a commit), for reveal from the history panel. */
  async findVersion(repository: string, name: string, version: string): Promise<VersionNode | undefined> {
    const o = await this.overview(repository);
    const artifact = o.artifacts.find((a) => a.name === name);
    if (!artifact) {
      return undefined;
    }
    const v = await this.artifactVersions(repository, name);
    const found = v.versions.find((x) => x.version === version || x.commit === version);
    return found ? versionNode(repository, artifact, found, v.versions) : undefined;
  }

  /** Every tag of an artifact (to push them), newest first. */
  async tagsOf(repository: string, name: string): Promise<string[]> {
    const v = await this.artifactVersions(repository, name);
    return [...new Set(v.events.map((e) => e.tag))];
  }
}

function cached<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let p = map.get(key);
  if (!p) {
    p = make();
    map.set(key, p);
    p.catch(() => map.delete(key));
  }
  return p;
}

function artifactId(repository: string, name: string): string {
  return `a:${repository}\0${name}`;
}

function message(repository: string, what: string, text: string, severity: MessageNode['severity']): MessageNode {
  return { kind: 'message', id: `m:${what}:${repository}`, repository, text, severity };
}

function versionNode(repository: string, artifact: RegistryArtifact, version: VersionDetail, siblings: VersionDetail[]): VersionNode {
  return { kind: 'version', id: `v:${repository}\0${artifact.name}\0${version.version}`, repository, artifact, version, siblings };
}

function eventNode(repository: string, artifact: RegistryArtifact, version: VersionDetail | undefined, event: RegistryEvent): EventNode {
  return { kind: 'event', id: `e:${repository}\0${artifact.name}\0${event.tag}`, repository, artifact, version, event };
}

// ------------------------------------------------------------------------------------------- presentation

/** A sha-named version (a stage on a commit without a version tag) shows as its short sha. */
export function versionLabel(v: Pick<VersionDetail, 'version' | 'commit'>): string {
  return /^[0-9a-f]{40}$/.test(v.version) ? shortSha(v.version) : v.version;
}

/** The tag that registered a version node's version (for a sha-named one, its newest tag): "Copy Tag". */
export function versionTag(node: VersionNode): string {
  const reg = node.version.events.find((e) => e.kind === 'register');
  return reg?.tag ?? node.version.events[0]?.tag ?? `${node.artifact.tagName}@${node.version.version}`;
}

/** The stages an artifact's version holds, in the repository's column order. */
export function stageBadges(artifact: RegistryArtifact, order: string[]): string[] {
  const held = Object.keys(artifact.stages);
  return [...order.filter((s) => held.includes(s)), ...held.filter((s) => !order.includes(s)).sort()];
}

const EVENT_WORDS: Record<RegistryEvent['kind'], string> = {
  register: 'registered',
  deregister: 'deregistered',
  assign: 'assigned',
  unassign: 'unassigned',
  deprecate: 'deprecated',
};
const EVENT_ICONS: Record<RegistryEvent['kind'], string> = {
  register: 'add',
  deregister: 'remove',
  assign: 'arrow-right',
  unassign: 'arrow-left',
  deprecate: 'circle-slash',
};

const GREY = 'disabledForeground';

export function present(node: RegistryNode, nowMs: number): NodeView {
  switch (node.kind) {
    case 'repository':
      return {
        label: baseName(node.repository),
        description: node.repository,
        tooltip: node.repository,
        icon: 'repo',
        greyed: false,
        contextValue: 'repository',
        collapsible: 'expanded',
      };
    case 'artifact':
      return presentArtifact(node);
    case 'version':
      return presentVersion(node);
    case 'event':
      return presentEvent(node, nowMs);
    case 'message':
      return {
        label: node.text,
        description: '',
        tooltip: node.tooltip ?? node.text,
        icon: node.severity === 'warning' ? 'warning' : 'info',
        greyed: false,
        contextValue: 'message',
        collapsible: 'none',
      };
  }
}

function presentArtifact(node: ArtifactNode): NodeView {
  const a = node.artifact;
  const tagOnly = a.annotations.length === 0;
  const badges = stageBadges(a, node.stageOrder);
  const state = a.deprecated ? 'deprecated' : a.latest ?? (a.registered ? 'no active version' : 'not registered');
  const problems = problemsOf(a);
  const description = [a.type ?? '', state, badges.join(', '), tagOnly ? 'tags only' : '', problemCount(marking(problems))].filter((p) => p).join(' · ');
  const flags = [
    'artifact',
    a.registered ? 'registered' : 'unregistered',
    tagOnly ? 'tagOnly' : 'annotated',
    a.deprecated ? 'deprecated' : '',
    marking(problems).length ? 'problem' : '',
  ];
  const lines = [`**${md(a.name)}**${a.type ? ` (${md(a.type)})` : ''}${a.deprecated ? ' — deprecated' : ''}`, '', ...problemLines(problems)];
  if (a.description) {
    lines.push(md(a.description), '');
  }
  if (a.path) {
    lines.push(`Path: \`${a.path}\``, '');
  }
  if (a.labels.length) {
    lines.push(`Labels: ${a.labels.map(md).join(', ')}`, '');
  }
  lines.push(a.latest ? `Latest: ${a.latest} (${a.versionCount} active version${a.versionCount === 1 ? '' : 's'})` : 'No active version', '');
  if (badges.length) {
    lines.push('| Stage | Version |', '|---|---|', ...badges.map((s) => `| ${md(s)} | ${md(versionLabel({ version: a.stages[s] ?? '', commit: '' }))} |`), '');
  }
  lines.push(
    tagOnly
      ? `Only in GTO tags (\`${a.tagName}@...\`): no annotations file declares it.`
      : `Annotated in ${a.annotations.map((p) => `\`${p.file}\``).join(', ')}`,
  );
  return {
    label: a.name,
    description,
    tooltip: lines.join('\n'),
    icon: a.deprecated ? 'circle-slash' : tagOnly ? 'tag' : a.registered ? 'package' : 'circle-large-outline',
    ...(a.deprecated ? { iconColor: GREY } : {}),
    ...problemIcon(marking(problems)),
    greyed: a.deprecated,
    contextValue: flags.filter((f) => f).join(' '),
    collapsible: a.registered ? 'collapsed' : 'none',
  };
}

function presentVersion(node: VersionNode): NodeView {
  const v = node.version;
  const latest = v.active && node.artifact.latest === v.version;
  const problems = problemsOf(v);
  const description = [
    v.stages.join(', '),
    latest ? 'latest' : '',
    v.active ? '' : 'deregistered',
    v.registered ? '' : 'no version tag',
    problemCount(marking(problems)),
  ]
    .filter((p) => p)
    .join(' · ');
  const flags = [
    'version',
    v.active ? 'active' : 'deregistered',
    v.registered ? 'named' : 'sha',
    v.stages.length ? 'staged' : '',
    marking(problems).length ? 'problem' : '',
  ];
  return {
    label: versionLabel(v),
    description,
    // Replaced by the server's version details when hovered (resolveTreeItem).
    tooltip: [...problemLines(problems), `${node.artifact.name} ${versionLabel(v)} at commit ${shortSha(v.commit)}`].join('\n'),
    icon: !v.active ? 'close' : v.stages.length ? 'rocket' : 'tag',
    ...(v.active ? {} : { iconColor: GREY }),
    ...problemIcon(marking(problems)),
    greyed: !v.active,
    contextValue: flags.filter((f) => f).join(' '),
    collapsible: v.events.length ? 'collapsed' : 'none',
  };
}

/** What an event did, in a few words: "assigned prod", "registered v1.0.0". */
export function eventTitle(e: RegistryEvent, withVersion: boolean): string {
  const word = EVENT_WORDS[e.kind] ?? e.kind;
  const what = e.stage ? ` ${e.stage}` : '';
  const version = withVersion && e.version ? ` ${versionLabel({ version: e.version, commit: e.commit })}` : '';
  return `${word}${what}${version}`;
}

function presentEvent(node: EventNode, nowMs: number): NodeView {
  const e = node.event;
  const who = e.tagger ?? 'unknown tagger';
  const lines = [
    `**${md(eventTitle(e, true))}** — ${md(node.artifact.name)}`,
    '',
    `${absoluteTime(e.time)} (${relativeTime(e.time, nowMs)})`,
    '',
    `By ${md(who)}${e.taggerEmail ? ` <${md(e.taggerEmail)}>` : ''}`,
    '',
    `Tag \`${e.tag}\` on commit \`${shortSha(e.commit)}\``,
  ];
  if (e.message) {
    lines.push('', `> ${md(e.message)}`);
  }
  return {
    label: eventTitle(e, node.version === undefined),
    description: `${who} · ${relativeTime(e.time, nowMs)}`,
    tooltip: lines.join('\n'),
    icon: EVENT_ICONS[e.kind] ?? 'circle-small',
    greyed: false,
    contextValue: 'event',
    collapsible: 'none',
  };
}

function baseName(p: string): string {
  const parts = p.split(/[\\/]/).filter((x) => x);
  return parts[parts.length - 1] ?? p;
}

/** Markdown-escapes text from tags and files (a tag message may hold `*` or `<`). */
export function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+!|<>]/g, (c) => `\\${c}`);
}
