/**
 * The annotate step table, driven by scripted answers: every prompt it shows, written out in full (title, numbers,
 * texts, items, start values, and what its checks and hints say), so a change to any step shows up here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runAnnotateFlow, type AnnotateFlowInput } from '../src/common/annotateFlow';
import type { InputStep, PickManyStep, PickStep } from '../src/common/prompter';
import { accept, label, makeContext, makeDvcContext, ok, ScriptedPrompter, typed, type Answer, type Shown } from './fakes';

/** A shown prompt as plain data: its checks and hints are tried on a few typed texts. */
function written(s: Shown): Record<string, unknown> {
  const raw = s.raw as InputStep & PickStep<unknown> & PickManyStep<unknown>;
  const out: Record<string, unknown> = { id: s.id, kind: s.kind, step: `${s.step}/${s.totalSteps}`, title: raw.title };
  for (const key of ['placeholder', 'prompt', 'value'] as const) {
    if (raw[key] !== undefined) {
      out[key] = raw[key];
    }
  }
  if (raw.items) {
    out.items = raw.items.map((i) => [i.label, i.description ?? '', ...(i.detail ? [i.detail] : [])].join(' | '));
  }
  if ('active' in raw) {
    out.active = raw.items.find((i) => i.value === raw.active)?.label ?? `(no item: ${String(raw.active)})`;
  }
  if (raw.selected) {
    out.selected = raw.selected;
  }
  const tries = ['', 'a.b', 'nn', 'clf', 'x'];
  const tried = (f: (t: string) => unknown): unknown[] => tries.map((t) => f(t) ?? null);
  if (raw.validate) {
    out.validate = tried(raw.validate);
  }
  if (raw.info) {
    out.info = tried(raw.info);
  }
  const free = raw.freeText as { label?: (t: string) => string; validate?: (t: string) => string | undefined; split?: (t: string) => string[] };
  if (free) {
    out.freeText = {
      ...(free.label ? { label: free.label('x') } : {}),
      ...(free.split ? { split: free.split('a, b c') } : {}),
      ...(free.validate ? { validate: tried(free.validate) } : {}),
    };
  }
  return out;
}

async function flow(script: Answer[], input: AnnotateFlowInput) {
  const p = new ScriptedPrompter(script);
  const answers = await runAnnotateFlow(p, input);
  return { answers, prompts: p.shown.map(written) };
}

const INVALID = (what: string, v: string): string =>
  `Invalid ${what} '${v}': only letters, numbers, '_', '-' and '/' are allowed, and it must start and end with a letter or a number.`;

/** The labels prompt, the same in every file. */
const labelsPrompt = (step: string): Record<string, unknown> => ({
  id: 'labels',
  kind: 'pickMany',
  step,
  title: 'GTO: Annotate Artifact',
  placeholder: 'Labels: check known ones, type new ones separated by commas, then Enter',
  items: ['prod | ', 'tabular | '],
  selected: [],
  freeText: { split: ['a', 'b', 'c'], validate: [INVALID('label', ''), INVALID('label', 'a.b'), null, null, null] },
});

describe('annotate step table: the prompts in full', () => {
  it('artifacts.yaml, a committed path, must exist, asked what next', async () => {
    const { answers, prompts } = await flow(
      [typed('a.b'), ok('rf'), label('model'), label('models/rf.pkl'), ok(['tabular']), ok('Random forest'), label('Must exist'), label('Annotate and commit')],
      { context: makeContext(), prefill: {}, afterAnnotate: 'ask' },
    );
    assert.deepEqual(prompts, [
      {
        id: 'name',
        kind: 'input',
        step: '1/6',
        title: 'GTO: Annotate Artifact',
        placeholder: 'e.g. rf or nlp/bert',
        prompt: 'Artifact name in artifacts.yaml: letters, numbers, "_", "-", "/"; starts and ends with a letter or a number',
        value: '',
        validate: ['Enter a name for the artifact.', INVALID('artifact name', 'a.b'), null, null, null],
        info: [
          null,
          null,
          "'nn' is already annotated in artifacts.yaml (model · models/nn.pt): its annotation will be updated.",
          null,
          null,
        ],
      },
      {
        id: 'type',
        kind: 'pick',
        step: '2/6',
        title: 'GTO: Annotate Artifact',
        placeholder: 'Artifact type: pick one or type a new one',
        items: ['No type | ', 'dataset | ', 'model | '],
        active: 'No type',
        freeText: { label: 'New type: x', validate: [INVALID('type', ''), INVALID('type', 'a.b'), null, null, null] },
      },
      {
        id: 'path',
        kind: 'pick',
        step: '3/6',
        title: 'GTO: Annotate Artifact',
        placeholder: 'Artifact path, relative to the repository root (or a URL such as s3://bucket/model.pkl)',
        items: [
          'No path (virtual) | the artifact lives elsewhere',
          'models | ',
          'models/rf.pkl | ',
          'data/train.csv | ',
          'models/new.pt | untracked',
        ],
        active: 'No path (virtual)',
        freeText: { label: 'Use path: x' },
      },
      labelsPrompt('4/7'),
      {
        id: 'description',
        kind: 'input',
        step: '5/7',
        title: 'GTO: Annotate Artifact',
        placeholder: 'e.g. Random forest for churn',
        prompt: 'Description (optional; empty keeps the current one)',
        value: '',
      },
      {
        id: 'mustExist',
        kind: 'pick',
        step: '6/7',
        title: 'GTO: Annotate Artifact',
        placeholder: "Must 'models/rf.pkl' be committed to git?",
        items: [
          'Virtual | the path need not be in git (e.g. DVC-tracked or remote)',
          "Must exist | 'models/rf.pkl' is committed in HEAD",
        ],
        active: 'Virtual',
      },
      {
        id: 'followUp',
        kind: 'pick',
        step: '7/7',
        title: 'GTO: Annotate Artifact',
        placeholder: "Annotate 'rf'",
        items: [
          'Annotate | change artifacts.yaml in the editor',
          'Annotate and commit | Annotate artifact `rf` of type `model` with path `models/rf.pkl`',
          'Annotate, commit and push | ',
        ],
        active: 'Annotate',
      },
    ]);
    assert.deepEqual(
      [answers?.file, answers?.fullName, answers?.type, answers?.path, answers?.mustExist, answers?.labels, answers?.description, answers?.followUp],
      ['artifacts.yaml', 'rf', 'model', 'models/rf.pkl', true, ['tabular'], 'Random forest', 'commit'],
    );
  });

  it('an existing artifact fills the steps; no push without a remote; why commit is blocked', async () => {
    const { answers, prompts } = await flow([ok('nn'), accept, accept, accept, accept, accept, label('Annotate and commit')], {
      context: makeContext({ pushRemote: null }),
      prefill: {},
      afterAnnotate: 'ask',
      commitBlocked: 'git is turned off by the setting gto.git.enabled',
    });
    assert.deepEqual(
      prompts.map((p) => [p.id, p.step, p.items ?? p.value, p.active ?? p.selected ?? null]),
      [
        ['name', '1/6', '', null],
        ['type', '2/7', ["No type | keeps 'model'", 'dataset | ', 'model | '], 'model'],
        ['path', '3/7', ["No path (virtual) | keeps 'models/nn.pt'", 'models/nn.pt | untracked', 'models | ', 'models/rf.pkl | ', 'data/train.csv | ', 'models/new.pt | untracked'], 'models/nn.pt'],
        ['labels', '4/7', ['prod | current', 'tabular | '], ['prod']],
        ['description', '5/7', 'Neural net', null],
        ['mustExist', '6/7', ['Virtual | the path need not be in git (e.g. DVC-tracked or remote)', "Must exist | 'models/nn.pt' is not committed: GTO will refuse this"], 'Virtual'],
        [
          'followUp',
          '7/7',
          [
            'Annotate | change artifacts.yaml in the editor',
            'Annotate and commit | Annotate artifact `nn` of type `model` with path `models/nn.pt` (git is turned off by the setting gto.git.enabled)',
          ],
          'Annotate',
        ],
      ],
    );
    assert.deepEqual(answers, {
      file: 'artifacts.yaml',
      format: 'gto',
      name: 'nn',
      fullName: 'nn',
      type: 'model',
      path: 'models/nn.pt',
      mustExist: false,
      labels: ['prod'],
      description: 'Neural net',
      followUp: 'commit',
    });
  });

  it('dvc.yaml: the file first, full names, no virtual path, no must-exist', async () => {
    const { answers, prompts } = await flow(
      [label('sub/dir/dvc.yaml'), ok('clf'), accept, accept, accept, ok('Classifier')],
      { context: makeDvcContext({ typesRestricted: true, types: ['model'] }), prefill: { path: 'sub/dir/deep/weights.pt' }, afterAnnotate: 'commitAndPush' },
    );
    assert.deepEqual(prompts, [
      {
        id: 'file',
        kind: 'pick',
        step: '1/6',
        title: 'GTO: Annotate Artifact',
        placeholder: 'Annotate into which file? dvc.yaml is where DVC and GTO >= 0.3 read annotations',
        items: [
          'dvc.yaml | DVC · 2 artifacts · where this repository annotates',
          'sub/dir/dvc.yaml | DVC · 1 artifact · nearest to sub/dir/deep/weights.pt | names become sub/dir:NAME, paths are written relative to sub/dir/',
          "artifacts.yaml | GTO's legacy file · 1 artifact",
        ],
        active: 'dvc.yaml',
      },
      {
        id: 'name',
        kind: 'input',
        step: '2/6',
        title: 'GTO: Annotate Artifact',
        placeholder: 'e.g. rf or nlp/bert',
        prompt:
          'Artifact name in sub/dir/dvc.yaml: letters, numbers, "_", "-", "/"; starts and ends with a letter or a number (its full name is sub/dir:NAME)',
        value: '',
        validate: ['Enter a name for the artifact.', INVALID('artifact name', 'a.b'), null, null, null],
        info: [
          null,
          'Full name: sub/dir:a.b (tags: sub/dir=a.b@v1.0.0)',
          'Full name: sub/dir:nn (tags: sub/dir=nn@v1.0.0)',
          "'sub/dir:clf' is already annotated in sub/dir/dvc.yaml (model · sub/dir/model.pkl): its annotation will be updated.",
          'Full name: sub/dir:x (tags: sub/dir=x@v1.0.0)',
        ],
      },
      {
        id: 'type',
        kind: 'pick',
        step: '3/6',
        title: 'GTO: Annotate Artifact',
        placeholder: 'Artifact type: pick one or type a new one',
        items: ["No type | keeps 'model'", 'model | '],
        active: 'model',
        freeText: { label: 'New type: x', validate: [INVALID('type', ''), INVALID('type', 'a.b'), null, null, null] },
      },
      {
        id: 'path',
        kind: 'pick',
        step: '4/6',
        title: 'GTO: Annotate Artifact',
        placeholder:
          'Artifact path (DVC requires one), relative to the repository root; sub/dir/dvc.yaml stores it relative to sub/dir/',
        items: [
          'params.yaml | not committed',
          'models | ',
          'models/rf.pkl | ',
          'data/train.csv | ',
          'sub/dir/model.pkl | ',
          'sub/dir/deep/weights.pt | not committed',
          'models/new.pt | untracked',
        ],
        active: 'sub/dir/deep/weights.pt',
        freeText: { label: 'Use path: x' },
      },
      labelsPrompt('5/6'),
      {
        id: 'description',
        kind: 'input',
        step: '6/6',
        title: 'GTO: Annotate Artifact',
        placeholder: 'e.g. Random forest for churn',
        prompt: 'Description, written as `desc` (optional; empty keeps the current one)',
        value: '',
      },
    ]);
    assert.deepEqual(answers, {
      file: 'sub/dir/dvc.yaml',
      format: 'dvc',
      name: 'clf',
      fullName: 'sub/dir:clf',
      type: 'model',
      path: 'sub/dir/deep/weights.pt',
      mustExist: false,
      labels: [],
      description: 'Classifier',
      followUp: 'commitAndPush',
    });
  });
});
