import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCommitted, runAnnotateFlow } from '../src/common/annotateFlow';
import { indexRelative } from '../src/common/annotationFiles';
import type { PickStep } from '../src/common/prompter';
import { accept, back, cancel, label, makeContext, ok, ScriptedPrompter } from './fakes';

describe('annotate flow', () => {
  it('asks name, type, path, labels, description, must-exist, follow-up with step numbers', async () => {
    const p = new ScriptedPrompter([
      ok('rf'),
      label('model'),
      label('models/rf.pkl'),
      ok(['tabular', 'new-label']),
      ok('Random forest'),
      label('Must exist'),
      label('Annotate and commit'),
    ]);
    const answers = await runAnnotateFlow(p, { context: makeContext(), prefill: {}, afterAnnotate: 'ask' });
    assert.deepEqual(p.ids, ['name', 'type', 'path', 'labels', 'description', 'mustExist', 'followUp']);
    assert.deepEqual(
      p.shown.map((s) => `${s.step}/${s.totalSteps}`),
      ['1/6', '2/6', '3/6', '4/7', '5/7', '6/7', '7/7'],
    );
    assert.deepEqual(answers, {
      file: 'artifacts.yaml',
      format: 'gto',
      name: 'rf',
      fullName: 'rf',
      type: 'model',
      path: 'models/rf.pkl',
      mustExist: true,
      labels: ['tabular', 'new-label'],
      description: 'Random forest',
      followUp: 'commit',
    });
    const follow = p.shown[6]!.raw as PickStep<unknown>;
    assert.equal(follow.items[1]!.description, 'Annotate artifact `rf` of type `model` with path `models/rf.pkl`');
  });

  it('Escape at any step changes nothing', async () => {
    for (let at = 0; at < 6; at++) {
      const script = [ok('rf'), label('model'), label('models/rf.pkl'), ok([]), ok(''), label('Virtual')];
      script[at] = cancel;
      const p = new ScriptedPrompter(script.slice(0, at + 1));
      assert.equal(await runAnnotateFlow(p, { context: makeContext(), prefill: {}, afterAnnotate: 'ask' }), undefined);
    }
  });

  it('virtual: no must-exist step, and no follow-up step unless afterAnnotate is ask', async () => {
    const p = new ScriptedPrompter([ok('ds'), label('No type'), label('No path (virtual)'), ok([]), ok('')]);
    const answers = await runAnnotateFlow(p, { context: makeContext(), prefill: {}, afterAnnotate: 'commit' });
    assert.deepEqual(p.ids, ['name', 'type', 'path', 'labels', 'description']);
    assert.equal(p.shown[0]!.totalSteps, 5);
    assert.deepEqual(answers, {
      file: 'artifacts.yaml',
      format: 'gto',
      name: 'ds',
      fullName: 'ds',
      type: undefined,
      path: undefined,
      mustExist: false,
      labels: [],
      description: undefined,
      followUp: 'commit',
    });
  });

  it('Back returns to the previous step and keeps answers', async () => {
    const p = new ScriptedPrompter([
      ok('rf'),
      label('model'),
      back,
      label('dataset'),
      label('data/train.csv'),
      back,
      back,
      accept,
      accept,
      ok(['prod']),
      ok('d'),
      accept,
    ]);
    const answers = await runAnnotateFlow(p, { context: makeContext(), prefill: {}, afterAnnotate: 'nothing' });
    assert.deepEqual(p.ids, [
      'name', 'type', 'path', // back from path
      'type', 'path', 'labels', // back from labels, then back from path
      'path', 'type', 'path', 'labels', 'description', 'mustExist',
    ]);
    assert.equal(answers?.type, 'dataset');
    assert.equal(answers?.path, 'data/train.csv');
    assert.equal(answers?.mustExist, false);
    assert.equal(answers?.followUp, 'none');
  });

  it('starts with the prefill (code action / explorer)', async () => {
    const p = new ScriptedPrompter([accept, accept, accept, accept, accept, accept, accept]);
    const answers = await runAnnotateFlow(p, {
      context: makeContext(),
      prefill: { name: 'rf', type: 'model', path: 'models/rf.pkl', labels: ['x'], description: 'RF', virtual: false },
      afterAnnotate: 'ask',
    });
    assert.equal((p.shown[0]!.raw as { value?: string }).value, 'rf');
    assert.deepEqual(answers, {
      file: 'artifacts.yaml',
      format: 'gto',
      name: 'rf',
      fullName: 'rf',
      type: 'model',
      path: 'models/rf.pkl',
      mustExist: true,
      labels: ['x'],
      description: 'RF',
      followUp: 'none',
    });
  });

  it("an existing name fills the next steps with that artifact's values", async () => {
    const p = new ScriptedPrompter([ok('nn'), accept, accept, accept, accept, accept]);
    const answers = await runAnnotateFlow(p, { context: makeContext(), prefill: {}, afterAnnotate: 'nothing' });
    assert.equal(answers?.type, 'model');
    assert.equal(answers?.path, 'models/nn.pt');
    assert.deepEqual(answers?.labels, ['prod']);
    assert.equal(answers?.description, 'Neural net');
    const nameStep = p.shown[0]!.raw as { info?: (v: string) => string | undefined };
    assert.match(nameStep.info?.('nn') ?? '', /already annotated .* will be updated/);
  });

  it('restricted types: no free text', async () => {
    const p = new ScriptedPrompter([ok('rf'), cancel]);
    await runAnnotateFlow(p, { context: makeContext({ typesRestricted: true, types: ['model'] }), prefill: {}, afterAnnotate: 'ask' });
    const typeStep = p.shown[1]!.raw as PickStep<unknown>;
    assert.equal(typeStep.freeText, undefined);
    assert.match(typeStep.placeholder ?? '', /allowed by \.gto: model/);
  });

  it('new types are validated with the name rule', async () => {
    const p = new ScriptedPrompter([ok('rf'), cancel]);
    await runAnnotateFlow(p, { context: makeContext(), prefill: {}, afterAnnotate: 'ask' });
    const typeStep = p.shown[1]!.raw as PickStep<unknown>;
    assert.match(typeStep.freeText?.validate?.('a.b') ?? '', /Invalid type 'a\.b'/);
    assert.equal(typeStep.freeText?.validate?.('tokenizer'), undefined);
  });

  it('names the not-committed path in the must-exist step', async () => {
    const p = new ScriptedPrompter([ok('new'), accept, label('models/new.pt'), ok([]), ok(''), cancel]);
    await runAnnotateFlow(p, { context: makeContext(), prefill: {}, afterAnnotate: 'ask' });
    const step = p.shown[5]!.raw as PickStep<unknown>;
    assert.match(step.items[1]!.description ?? '', /'models\/new\.pt' is not committed/);
  });

  it('the name step refuses invalid names', async () => {
    const p = new ScriptedPrompter([cancel]);
    await runAnnotateFlow(p, { context: makeContext(), prefill: {}, afterAnnotate: 'ask' });
    const validate = (p.shown[0]!.raw as { validate: (v: string) => string | undefined }).validate;
    assert.match(validate('a.b') ?? '', /Invalid artifact name 'a\.b'/);
    assert.match(validate('') ?? '', /Enter a name/);
    assert.equal(validate('nlp/bert'), undefined);
  });

  it('the path list leaves out artifacts.yaml and .gto', async () => {
    const p = new ScriptedPrompter([ok('rf'), accept, cancel]);
    await runAnnotateFlow(p, { context: makeContext(), prefill: {}, afterAnnotate: 'ask' });
    const labels = (p.shown[2]!.raw as PickStep<unknown>).items.map((i) => i.label);
    assert.deepEqual(labels, ['No path (virtual)', 'models', 'models/rf.pkl', 'data/train.csv', 'models/new.pt']);
    assert.equal(indexRelative({ root: 'C:\\repo', indexPath: 'C:\\repo\\sub\\artifacts.yaml' }), 'sub/artifacts.yaml');
  });

  it('isCommitted knows folders', () => {
    assert.ok(isCommitted('models', ['models/rf.pkl']));
    assert.ok(isCommitted('./models/', ['models/rf.pkl']));
    assert.ok(!isCommitted('model', ['models/rf.pkl']));
  });
});
