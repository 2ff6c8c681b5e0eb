/**
 * The Annotate prompts, step by step: which file (only when there is a choice and no prefill names one),
 * name, type, path, labels, description, must-exist (only with a path, and only in artifacts.yaml: DVC has no
 * such field) and what to do afterwards (only when gto.afterAnnotate is `ask`). Pure: talks to a Prompter.
 * Escape at any step returns undefined (nothing changes); Back returns to the previous shown step.
 */
import {
  annotationFiles,
  artifactsIn,
  folderOf,
  formatOf,
  fullName,
  indexRelative,
  targetChoices,
} from './annotationFiles';
import type { AnnotatePrefill, AnnotationFormat, ArtifactInfo, RepositoryContext } from './contract';
import { annotateCommitMessage, splitLabels, validateName } from './names';
import { runSteps, type FlowStep, type PickItem, type Prompter } from './prompter';
import type { AfterAnnotate } from './settings';

export type FollowUp = 'none' | 'commit' | 'commitAndPush';

export interface AnnotateAnswers {
  /** The target file, repository-relative ("artifacts.yaml", "dvc.yaml", "sub/dir/dvc.yaml"). */
  file: string;
  format: AnnotationFormat;
  /** The name as written in the file. */
  name: string;
  /** DVC's full name (`sub/dir:name` for a nested dvc.yaml), else the name. */
  fullName: string;
  type?: string;
  path?: string;
  mustExist: boolean;
  labels: string[];
  description?: string;
  followUp: FollowUp;
}

export interface AnnotateFlowInput {
  context: RepositoryContext;
  /** Values to start with (from a code action, the explorer or the active file). */
  prefill: AnnotatePrefill;
  afterAnnotate: AfterAnnotate;
  /** Why commit is unavailable (untrusted workspace, git turned off), or undefined. */
  commitBlocked?: string;
}

export const TITLE = 'GTO: Annotate Artifact';
const NO_VALUE = Symbol('none');
type Maybe = string | typeof NO_VALUE;

/** Follow-up chosen without asking, from gto.afterAnnotate (undefined for `ask`). */
export function fixedFollowUp(after: AfterAnnotate): FollowUp | undefined {
  switch (after) {
    case 'commit':
      return 'commit';
    case 'commitAndPush':
      return 'commitAndPush';
    case 'nothing':
      return 'none';
    default:
      return undefined;
  }
}

/** Is `path` (relative, posix) in HEAD: listed itself, or a folder that holds committed files. */
export function isCommitted(path: string, committed: readonly string[]): boolean {
  const p = path.replace(/^\.\//, '').replace(/\/+$/, '');
  if (!p) {
    return false;
  }
  return committed.some((c) => c === p || c.startsWith(p + '/'));
}

export function describeArtifact(a: ArtifactInfo, format: AnnotationFormat = 'gto'): string {
  const parts: string[] = [];
  if (a.type) {
    parts.push(a.type);
  }
  if (a.path) {
    parts.push(a.path);
  }
  if (!a.virtual && format === 'gto') {
    parts.push('must exist');
  }
  return parts.join(' · ') || 'no type, no path';
}

export async function runAnnotateFlow(prompter: Prompter, input: AnnotateFlowInput): Promise<AnnotateAnswers | undefined> {
  const { context, prefill } = input;
  const fixed = fixedFollowUp(input.afterAnnotate);
  const choices = prefill.file ? [] : targetChoices(context, prefill.path ?? undefined);
  const askFile = choices.length > 1;
  const state = {
    file: prefill.file ?? choices[0]?.value ?? annotationFiles(context)[0]?.file ?? indexRelative(context),
    name: prefill.name ?? '',
    type: (prefill.type ?? NO_VALUE) as Maybe,
    path: (prefill.path ?? NO_VALUE) as Maybe,
    labels: prefill.labels ? [...prefill.labels] : undefined,
    description: prefill.description ?? undefined,
    mustExist: prefill.virtual === false,
    followUp: fixed ?? ('none' as FollowUp),
    /** The file and artifact whose existing values were copied into the state (so they're copied once). */
    filledFrom: '',
  };

  const format = (): AnnotationFormat => formatOf(context, state.file);
  const dvc = (): boolean => format() === 'dvc';
  const entries = (): Record<string, ArtifactInfo> => artifactsIn(context, state.file);
  const existing = (): ArtifactInfo | undefined => entries()[state.name];
  const full = (name: string): string => fullName(state.file, format(), name);
  const hasPath = (): boolean => state.path !== NO_VALUE && state.path !== '';
  const askMustExist = (): boolean => hasPath() && !dvc();
  const total = (): number => (askFile ? 1 : 0) + 5 + (askMustExist() ? 1 : 0) + (fixed === undefined ? 1 : 0);
  const filledKey = (): string => `${state.file}\0${state.name}`;
  if (prefill.name && existing()) {
    state.filledFrom = filledKey();
  }

  const fillFromExisting = (): void => {
    const a = existing();
    if (!a || state.filledFrom === filledKey()) {
      return;
    }
    state.filledFrom = filledKey();
    if (state.type === NO_VALUE && a.type) {
      state.type = a.type;
    }
    if (state.path === NO_VALUE && a.path) {
      state.path = a.path;
    }
    if (state.labels === undefined) {
      state.labels = [...a.labels];
    }
    if (state.description === undefined && a.description) {
      state.description = a.description;
    }
    if (!a.virtual) {
      state.mustExist = true;
    }
  };

  const steps: FlowStep[] = [
    {
      id: 'file',
      shown: () => askFile,
      run: async (n) => {
        const r = await prompter.pick<string>({
          id: 'file',
          title: TITLE,
          step: n,
          totalSteps: total(),
          placeholder: 'Annotate into which file? dvc.yaml is where DVC and GTO >= 0.3 read annotations',
          items: choices,
          active: state.file,
        });
        if (r.kind === 'ok') {
          state.file = r.value;
          fillFromExisting();
        }
        return r;
      },
    },
    {
      id: 'name',
      shown: () => true,
      run: async (n) => {
        const dir = dvc() ? folderOf(state.file) : '';
        const r = await prompter.input({
          id: 'name',
          title: TITLE,
          step: n,
          totalSteps: total(),
          prompt:
            `Artifact name in ${state.file}: letters, numbers, "_", "-", "/"; starts and ends with a letter or a number` +
            (dir ? ` (its full name is ${dir}:NAME)` : ''),
          placeholder: 'e.g. rf or nlp/bert',
          value: state.name,
          validate: (v) => (v.trim() ? validateName(v.trim()) : 'Enter a name for the artifact.'),
          info: (v) => {
            const name = v.trim();
            const a = entries()[name];
            if (a) {
              return `'${full(name)}' is already annotated in ${state.file} (${describeArtifact(a, format())}): its annotation will be updated.`;
            }
            return dir && name ? `Full name: ${full(name)} (tags: ${dir}=${name}@v1.0.0)` : undefined;
          },
        });
        if (r.kind === 'ok') {
          state.name = r.value.trim();
          fillFromExisting();
        }
        return r;
      },
    },
    {
      id: 'type',
      shown: () => true,
      run: async (n) => {
        const types = [...context.types];
        if (state.type !== NO_VALUE && !types.includes(state.type) && !context.typesRestricted) {
          types.unshift(state.type);
        }
        // .gto's `types` restrict artifacts.yaml only: DVC has no such list.
        const restricted = context.typesRestricted && !dvc();
        const items: PickItem<Maybe>[] = [
          { label: 'No type', description: existing()?.type ? `keeps '${existing()?.type}'` : '', value: NO_VALUE },
          ...types.map((t) => ({ label: t, value: t as Maybe })),
        ];
        const r = await prompter.pick<Maybe>({
          id: 'type',
          title: TITLE,
          step: n,
          totalSteps: total(),
          placeholder: restricted
            ? `Artifact type (allowed by .gto: ${context.types.join(', ') || 'none'})`
            : 'Artifact type: pick one or type a new one',
          items,
          active: state.type,
          freeText: restricted ? undefined : { label: (t) => `New type: ${t}`, validate: (t) => validateName(t, 'type'), toValue: (t) => t },
        });
        if (r.kind === 'ok') {
          state.type = r.value;
        }
        return r;
      },
    },
    {
      id: 'path',
      shown: () => true,
      run: async (n) => {
        const tracked = new Set(context.trackedFiles);
        const notArtifacts = new Set([...annotationFiles(context).map((f) => f.file), indexRelative(context), '.gto']);
        const paths = [...context.trackedFiles, ...context.untrackedFiles].filter((p) => !notArtifacts.has(p));
        if (state.path !== NO_VALUE && !paths.includes(state.path)) {
          paths.unshift(state.path);
        }
        const fileItems = paths.map((p) => ({
          label: p,
          description: tracked.has(p) ? (isCommitted(p, context.committed) ? '' : 'not committed') : 'untracked',
          value: p as Maybe,
        }));
        // DVC requires a path: no "virtual" entry to pick in a dvc.yaml.
        const items: PickItem<Maybe>[] = dvc()
          ? fileItems
          : [
              {
                label: 'No path (virtual)',
                description: existing()?.path ? `keeps '${existing()?.path}'` : 'the artifact lives elsewhere',
                value: NO_VALUE,
              },
              ...fileItems,
            ];
        const dir = dvc() ? folderOf(state.file) : '';
        const r = await prompter.pick<Maybe>({
          id: 'path',
          title: TITLE,
          step: n,
          totalSteps: total(),
          placeholder: dvc()
            ? `Artifact path (DVC requires one), relative to the repository root` +
              (dir ? `; ${state.file} stores it relative to ${dir}/` : '')
            : 'Artifact path, relative to the repository root (or a URL such as s3://bucket/model.pkl)',
          items,
          active: state.path,
          freeText: { label: (t) => `Use path: ${t}`, toValue: (t) => t },
        });
        if (r.kind === 'ok') {
          state.path = r.value;
        }
        return r;
      },
    },
    {
      id: 'labels',
      shown: () => true,
      run: async (n) => {
        const current = state.labels ?? [];
        const known = [...new Set([...context.labels, ...current])];
        const kept = existing()?.labels ?? [];
        const r = await prompter.pickMany<string>({
          id: 'labels',
          title: TITLE,
          step: n,
          totalSteps: total(),
          placeholder: 'Labels: check known ones, type new ones separated by commas, then Enter',
          items: known.map((l) => ({ label: l, description: kept.includes(l) ? 'current' : '', value: l })),
          selected: current,
          freeText: { split: splitLabels, validate: (t) => validateName(t, 'label'), toValue: (t) => t },
        });
        if (r.kind === 'ok') {
          state.labels = [...new Set(r.value)];
        }
        return r;
      },
    },
    {
      id: 'description',
      shown: () => true,
      run: async (n) => {
        const r = await prompter.input({
          id: 'description',
          title: TITLE,
          step: n,
          totalSteps: total(),
          prompt: dvc()
            ? 'Description, written as `desc` (optional; empty keeps the current one)'
            : 'Description (optional; empty keeps the current one)',
          placeholder: 'e.g. Random forest for churn',
          value: state.description ?? '',
        });
        if (r.kind === 'ok') {
          state.description = r.value;
        }
        return r;
      },
    },
    {
      id: 'mustExist',
      shown: askMustExist,
      run: async (n) => {
        const path = state.path as string;
        const committed = isCommitted(path, context.committed);
        const r = await prompter.pick<boolean>({
          id: 'mustExist',
          title: TITLE,
          step: n,
          totalSteps: total(),
          placeholder: `Must '${path}' be committed to git?`,
          items: [
            { label: 'Virtual', description: 'the path need not be in git (e.g. DVC-tracked or remote)', value: false },
            {
              label: 'Must exist',
              description: committed ? `'${path}' is committed in HEAD` : `'${path}' is not committed: GTO will refuse this`,
              value: true,
            },
          ],
          active: state.mustExist,
        });
        if (r.kind === 'ok') {
          state.mustExist = r.value;
        }
        return r;
      },
    },
    {
      id: 'followUp',
      shown: () => fixed === undefined,
      run: async (n) => {
        const name = full(state.name);
        const msg = annotateCommitMessage(name, asValue(state.type), asValue(state.path));
        const blocked = input.commitBlocked ? ` (${input.commitBlocked})` : '';
        const r = await prompter.pick<FollowUp>({
          id: 'followUp',
          title: TITLE,
          step: n,
          totalSteps: total(),
          placeholder: `Annotate '${name}'`,
          items: [
            { label: 'Annotate', description: `change ${state.file} in the editor`, value: 'none' },
            { label: 'Annotate and commit', description: msg + blocked, value: 'commit' },
            // Pushing needs the branch's upstream: a repository without one is offered no push.
            ...(context.pushRemote === null
              ? []
              : [{ label: 'Annotate, commit and push', description: blocked.trim(), value: 'commitAndPush' as const }]),
          ],
          active: state.followUp,
        });
        if (r.kind === 'ok') {
          state.followUp = r.value;
        }
        return r;
      },
    },
  ];

  if (!(await runSteps(steps))) {
    return undefined;
  }

  const description = state.description?.trim() ? state.description : undefined;
  return {
    file: state.file,
    format: format(),
    name: state.name,
    fullName: full(state.name),
    type: asValue(state.type),
    path: asValue(state.path),
    mustExist: askMustExist() && state.mustExist,
    labels: state.labels ?? [],
    description,
    followUp: state.followUp,
  };
}

export { indexRelative };

function asValue(v: Maybe): string | undefined {
  return v === NO_VALUE || v === '' ? undefined : v;
}
