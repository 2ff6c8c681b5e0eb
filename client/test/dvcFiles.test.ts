import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as actions from '../src/common/actions';
import {
  absolutePath,
  fullName,
  nearestDvcFile,
  normalizePath,
  targetChoices,
} from '../src/common/annotationFiles';
import { runAnnotateFlow } from '../src/common/annotateFlow';
import type { InputStep, PickStep } from '../src/common/prompter';
import { accept, back, label, makeContext, makeDeps, makeDvcContext, ok, ScriptedPrompter, type Answer } from './fakes';

/** The commands over a repository that annotates in dvc.yaml (makeDvcContext); the server edits dvc.yaml. */
function deps(script: Answer[]) {
  const made = makeDeps(script);
  made.server.contextResult = makeDvcContext();
  made.server.annotateResult = { ok: true, message: 'Updated `dvc.yaml`', uri: 'file:///repo/dvc.yaml', applied: true };
  made.server.removeResult = { ok: true, message: 'Updated `dvc.yaml`', uri: 'file:///repo/dvc.yaml', applied: true };
  return made;
}

const pickLabels = (p: ScriptedPrompter, id: string): string[] =>
  (p.shown.find((s) => s.id === id)!.raw as PickStep<unknown>).items.map((i) => i.label);

describe('annotation files', () => {
  const files = makeDvcContext().annotationFiles!;

  it('full names and paths of nested dvc.yaml files', () => {
    assert.equal(fullName('dvc.yaml', 'dvc', 'rf'), 'rf');
    assert.equal(fullName('sub/dir/dvc.yaml', 'dvc', 'clf'), 'sub/dir:clf');
    assert.equal(fullName('artifacts.yaml', 'gto', 'rf'), 'rf');
    assert.equal(normalizePath('./a/../b/./c.pkl'), 'b/c.pkl');
    assert.equal(absolutePath({ root: '/repo', indexPath: '/repo/artifacts.yaml' }, 'sub/dir/dvc.yaml'), '/repo/sub/dir/dvc.yaml');
    assert.equal(absolutePath({ root: 'C:\\repo', indexPath: 'C:\\repo\\artifacts.yaml' }, 'sub/dvc.yaml'), 'C:\\repo\\sub\\dvc.yaml');
  });

  it("the nearest dvc.yaml is in the file's folder or the closest folder above holding one", () => {
    assert.equal(nearestDvcFile(files, 'sub/dir/model.pkl'), 'sub/dir/dvc.yaml');
    assert.equal(nearestDvcFile(files, 'sub/dir/deep/weights.pt'), 'sub/dir/dvc.yaml');
    assert.equal(nearestDvcFile(files, 'sub/other.pkl'), 'dvc.yaml');
    assert.equal(nearestDvcFile(files, 'models/rf.pkl'), 'dvc.yaml');
    const missingRoot = files.map((f) => (f.file === 'dvc.yaml' ? { ...f, exists: false } : f));
    assert.equal(nearestDvcFile(missingRoot, 'models/rf.pkl'), undefined);
  });

  it('offers the default first, then the root dvc.yaml, the nearest one, artifacts.yaml and the other dvc.yaml files', () => {
    const ctx = makeDvcContext();
    assert.deepEqual(
      targetChoices(ctx, 'sub/dir/deep/weights.pt').map((c) => c.label),
      ['dvc.yaml', 'sub/dir/dvc.yaml', 'artifacts.yaml'],
    );
    const nested = targetChoices(ctx, 'sub/dir/deep/weights.pt')[1]!;
    assert.match(nested.description ?? '', /^DVC · 1 artifact · nearest to sub\/dir\/deep\/weights\.pt$/);
    assert.match(nested.detail ?? '', /names become sub\/dir:NAME/);
    const gtoDefault = targetChoices({ ...ctx, defaultFile: 'artifacts.yaml' }, 'models/rf.pkl');
    assert.deepEqual(gtoDefault.map((c) => c.label), ['artifacts.yaml', 'dvc.yaml', 'sub/dir/dvc.yaml']);
    assert.match(gtoDefault[0]!.description ?? '', /GTO's legacy file · 1 artifact · where this repository annotates/);
  });

  it('a missing root dvc.yaml is offered as one to create', () => {
    const ctx = makeContext({
      annotationFiles: [
        { file: 'artifacts.yaml', format: 'gto', exists: true, artifacts: 1 },
        { file: 'dvc.yaml', format: 'dvc', exists: false, artifacts: 0 },
      ],
      defaultFile: 'artifacts.yaml',
      dvcArtifacts: {},
    });
    const choices = targetChoices(ctx);
    assert.deepEqual(choices.map((c) => c.label), ['artifacts.yaml', 'dvc.yaml']);
    assert.equal(choices[1]!.description, 'DVC · will be created');
  });

  it('a server without dvc.yaml support: artifacts.yaml alone, no question', () => {
    assert.deepEqual(targetChoices(makeContext()).map((c) => c.label), ['artifacts.yaml']);
  });
});

describe('annotate flow into dvc.yaml', () => {
  it('asks the file first with the default pre-selected; no virtual path, no must-exist step', async () => {
    const p = new ScriptedPrompter([accept, ok('lgbm'), label('model'), accept, ok([]), ok('Gradient boosting'), label('Annotate')]);
    const answers = await runAnnotateFlow(p, { context: makeDvcContext(), prefill: {}, afterAnnotate: 'ask' });
    assert.deepEqual(p.ids, ['file', 'name', 'type', 'path', 'labels', 'description', 'followUp']);
    assert.deepEqual(
      p.shown.map((s) => `${s.step}/${s.totalSteps}`),
      ['1/7', '2/7', '3/7', '4/7', '5/7', '6/7', '7/7'],
    );
    const fileStep = p.shown[0]!.raw as PickStep<unknown>;
    assert.equal(fileStep.active, 'dvc.yaml');
    assert.equal(fileStep.items[0]!.label, 'dvc.yaml');
    const paths = pickLabels(p, 'path');
    assert.ok(!paths.includes('No path (virtual)'), 'a dvc.yaml entry needs a path');
    assert.ok(!paths.includes('dvc.yaml') && !paths.includes('sub/dir/dvc.yaml'), 'annotation files are no artifacts');
    assert.equal(paths[0], 'params.yaml', 'the first path is active: the path cannot be skipped');
    assert.match((p.shown[3]!.raw as PickStep<unknown>).placeholder ?? '', /DVC requires one/);
    assert.match((p.shown[5]!.raw as InputStep).prompt ?? '', /written as `desc`/);
    const follow = p.shown[6]!.raw as PickStep<unknown>;
    assert.equal(follow.items[0]!.description, 'change dvc.yaml in the editor');
    assert.deepEqual(answers, {
      file: 'dvc.yaml',
      format: 'dvc',
      name: 'lgbm',
      fullName: 'lgbm',
      type: 'model',
      path: 'params.yaml',
      mustExist: false,
      labels: [],
      description: 'Gradient boosting',
      followUp: 'none',
    });
  });

  it('a prefill with a file skips the question (code action in dvc.yaml)', async () => {
    const p = new ScriptedPrompter([accept, accept, accept, accept, accept]);
    const answers = await runAnnotateFlow(p, {
      context: makeDvcContext(),
      prefill: { file: 'sub/dir/dvc.yaml', name: 'clf', type: 'model', path: 'sub/dir/model.pkl' },
      afterAnnotate: 'nothing',
    });
    assert.deepEqual(p.ids, ['name', 'type', 'path', 'labels', 'description']);
    assert.equal(p.shown[0]!.totalSteps, 5);
    assert.equal(answers?.file, 'sub/dir/dvc.yaml');
    assert.equal(answers?.fullName, 'sub/dir:clf');
    assert.equal(answers?.path, 'sub/dir/model.pkl');
  });

  it('nested file: the name step shows the full name and its tag spelling', async () => {
    const p = new ScriptedPrompter([label('sub/dir/dvc.yaml'), { kind: 'cancel' }]);
    await runAnnotateFlow(p, { context: makeDvcContext(), prefill: { path: 'sub/dir/deep/weights.pt' }, afterAnnotate: 'ask' });
    const name = p.shown[1]!.raw as InputStep;
    assert.match(name.prompt ?? '', /its full name is sub\/dir:NAME/);
    assert.equal(name.info?.('weights'), 'Full name: sub/dir:weights (tags: sub/dir=weights@v1.0.0)');
    assert.match(name.info?.('clf') ?? '', /^'sub\/dir:clf' is already annotated in sub\/dir\/dvc\.yaml \(model · sub\/dir\/model\.pkl\)/);
  });

  it('an existing dvc.yaml entry fills the steps (its path repository-relative)', async () => {
    const p = new ScriptedPrompter([label('sub/dir/dvc.yaml'), ok('clf'), accept, accept, accept, accept]);
    const answers = await runAnnotateFlow(p, { context: makeDvcContext(), prefill: {}, afterAnnotate: 'nothing' });
    assert.equal(answers?.type, 'model');
    assert.equal(answers?.path, 'sub/dir/model.pkl');
  });

  it('the same name in another file is that file\'s entry', async () => {
    const p = new ScriptedPrompter([label('dvc.yaml'), ok('nn'), accept, accept, accept, accept]);
    const answers = await runAnnotateFlow(p, { context: makeDvcContext(), prefill: {}, afterAnnotate: 'nothing' });
    assert.equal(answers?.description, 'NN in DVC');
  });

  it(".gto's types restrict artifacts.yaml only", async () => {
    const ctx = makeDvcContext({ typesRestricted: true, types: ['model'] });
    const p = new ScriptedPrompter([label('dvc.yaml'), ok('x'), { kind: 'cancel' }]);
    await runAnnotateFlow(p, { context: ctx, prefill: {}, afterAnnotate: 'ask' });
    assert.ok((p.shown[2]!.raw as PickStep<unknown>).freeText, 'new types allowed in dvc.yaml');
    const q = new ScriptedPrompter([label('artifacts.yaml'), ok('x'), { kind: 'cancel' }]);
    await runAnnotateFlow(q, { context: ctx, prefill: {}, afterAnnotate: 'ask' });
    assert.equal((q.shown[2]!.raw as PickStep<unknown>).freeText, undefined);
  });

  it('Back to the file step and on to artifacts.yaml brings back the virtual path and must-exist', async () => {
    const p = new ScriptedPrompter([
      label('dvc.yaml'),
      ok('x'),
      back,
      back,
      label('artifacts.yaml'),
      ok('x'),
      accept,
      label('models/rf.pkl'),
      ok([]),
      ok(''),
      label('Must exist'),
    ]);
    const answers = await runAnnotateFlow(p, { context: makeDvcContext(), prefill: {}, afterAnnotate: 'nothing' });
    assert.deepEqual(p.ids, ['file', 'name', 'type', 'name', 'file', 'name', 'type', 'path', 'labels', 'description', 'mustExist']);
    assert.ok(pickLabels(p, 'path').includes('No path (virtual)'));
    assert.equal(answers?.file, 'artifacts.yaml');
    assert.equal(answers?.mustExist, true);
  });
});

describe('commands with dvc.yaml', () => {
  it('annotate into dvc.yaml and commit: `file` reaches annotate and commit, dvc.yaml is saved', async () => {
    const { d, server, ui } = deps([accept, ok('lgbm'), label('model'), label('models/rf.pkl'), ok([]), ok(''), label('Annotate and commit')]);
    const r = await actions.annotate(d, '/repo', {});
    assert.deepEqual(server.commands(), ['context', 'annotate', 'commit']);
    assert.deepEqual(server.calls[1]!.arg, { repository: '/repo', file: 'dvc.yaml', name: 'lgbm', type: 'model', path: 'models/rf.pkl' });
    assert.deepEqual(server.calls[2]!.arg, {
      repository: '/repo',
      file: 'dvc.yaml',
      name: 'lgbm',
      action: 'annotate',
      type: 'model',
      path: 'models/rf.pkl',
    });
    assert.deepEqual(ui.saved, ['file:///repo/dvc.yaml']);
    assert.equal(r.status, 'committed');
  });

  it('annotate into a nested dvc.yaml: plain name to the server, full name in messages', async () => {
    const { d, server, ui } = deps([label('sub/dir/dvc.yaml'), ok('clf2'), accept, label('sub/dir/model.pkl'), ok([]), ok(''), label('Annotate')]);
    server.annotateResult = { ok: true, message: 'Updated', uri: 'file:///repo/sub/dir/dvc.yaml', applied: true };
    await actions.annotate(d, '/repo', { path: 'sub/dir/model.pkl' });
    assert.deepEqual(server.calls[1]!.arg, { repository: '/repo', file: 'sub/dir/dvc.yaml', name: 'clf2', path: 'sub/dir/model.pkl' });
    assert.deepEqual(ui.infos, ['Annotated sub/dir:clf2 in sub/dir/dvc.yaml (not saved yet).']);
    assert.deepEqual(d.pending.get('/repo'), {
      name: 'sub/dir:clf2',
      action: 'annotate',
      type: undefined,
      path: 'sub/dir/model.pkl',
      file: 'sub/dir/dvc.yaml',
    });
  });

  it('annotate into artifacts.yaml sends no `file`, as before', async () => {
    const { d, server } = deps([label('artifacts.yaml'), ok('x'), accept, label('No path (virtual)'), ok([]), ok(''), label('Annotate and commit')]);
    await actions.annotate(d, '/repo', {});
    assert.deepEqual(server.calls[1]!.arg, { repository: '/repo', name: 'x' });
    assert.deepEqual(server.calls[2]!.arg, { repository: '/repo', name: 'x', action: 'annotate' });
  });

  it('remove: a name in two files asks which one', async () => {
    const { d, server, prompter } = deps([label('nn'), label('dvc.yaml'), label('Remove and commit')]);
    const r = await actions.remove(d, '/repo', {});
    assert.deepEqual(prompter.ids, ['removeName', 'removeFile', 'removeConfirm']);
    assert.deepEqual(prompter.shown.map((s) => `${s.step}/${s.totalSteps}`), ['1/2', '2/3', '3/3']);
    assert.deepEqual(pickLabels(prompter, 'removeName'), ['nn', 'rf', 'sub/dir:clf']);
    assert.deepEqual(pickLabels(prompter, 'removeFile'), ['artifacts.yaml', 'dvc.yaml']);
    const names = (prompter.shown[0]!.raw as PickStep<unknown>).items;
    assert.equal(names[0]!.description, 'in artifacts.yaml and dvc.yaml');
    assert.equal(names[2]!.description, 'model · sub/dir/model.pkl · in sub/dir/dvc.yaml');
    assert.deepEqual(server.calls[1]!.arg, { repository: '/repo', name: 'nn', file: 'dvc.yaml' });
    assert.deepEqual(server.calls[2]!.arg, { repository: '/repo', file: 'dvc.yaml', name: 'nn', action: 'remove' });
    assert.equal(r.status, 'committed');
  });

  it('remove: a name in one file goes straight to the confirmation; Back returns to the names', async () => {
    const { d, server, prompter } = deps([label('sub/dir:clf'), back, label('rf'), label('Remove')]);
    await actions.remove(d, '/repo', {});
    assert.deepEqual(prompter.ids, ['removeName', 'removeConfirm', 'removeName', 'removeConfirm']);
    assert.match(prompter.shown[1]!.raw.placeholder ?? '', /'sub\/dir:clf' from sub\/dir\/dvc\.yaml/);
    assert.deepEqual(server.calls[1]!.arg, { repository: '/repo', name: 'rf', file: 'dvc.yaml' });
  });

  it('remove from a code action in dvc.yaml (name + file): only the confirmation', async () => {
    const { d, server, prompter } = deps([label('Remove')]);
    await actions.remove(d, '/repo', { name: 'clf', file: 'sub/dir/dvc.yaml' });
    assert.deepEqual(prompter.ids, ['removeConfirm']);
    assert.deepEqual(server.calls[1]!.arg, { repository: '/repo', name: 'clf', file: 'sub/dir/dvc.yaml' });
  });

  it('remove with a name and no file asks when the name is in two files', async () => {
    const { d, server, prompter } = deps([label('artifacts.yaml'), label('Remove')]);
    await actions.remove(d, '/repo', { name: 'nn' });
    assert.deepEqual(prompter.ids, ['removeFile', 'removeConfirm']);
    assert.deepEqual(server.calls[1]!.arg, { repository: '/repo', name: 'nn' });
  });

  it('commit: asks which changed file, offers its last change first and commits only that file', async () => {
    const { d, server, ui, prompter } = deps([accept, accept]);
    server.contextResult = makeDvcContext({ dirty: true });
    d.pending.set('/repo', { name: 'sub/dir:clf', action: 'remove', file: 'sub/dir/dvc.yaml' });
    const r = await actions.commit(d, '/repo');
    assert.deepEqual(prompter.ids, ['commitFile', 'commitMessage']);
    // dvc.yaml: the server does not say whether it changed, and other files are known to: not offered.
    assert.deepEqual(pickLabels(prompter, 'commitFile'), ['sub/dir/dvc.yaml', 'artifacts.yaml']);
    assert.equal((prompter.shown[0]!.raw as PickStep<unknown>).items[0]!.description, 'last change');
    assert.equal(pickLabels(prompter, 'commitMessage')[0], 'Remove annotation for artifact `sub/dir:clf`');
    assert.deepEqual(server.calls[1]!.arg, { repository: '/repo', file: 'sub/dir/dvc.yaml', name: 'sub/dir:clf', action: 'remove' });
    assert.deepEqual(ui.saved, ['/repo/sub/dir/dvc.yaml']);
    assert.equal(r.status, 'committed');
    assert.equal(d.pending.get('/repo'), undefined);
  });

  it('commit: files the server knows to be clean are not offered', async () => {
    const { d, server, prompter } = deps([accept]);
    const ctx = makeDvcContext({ dirty: false });
    ctx.annotationFiles = ctx.annotationFiles!.map((f) => ({ ...f, dirty: f.file === 'dvc.yaml' }));
    server.contextResult = ctx;
    await actions.commit(d, '/repo');
    assert.deepEqual(prompter.ids, ['commitMessage']);
    assert.deepEqual(pickLabels(prompter, 'commitMessage'), [
      'Annotate artifact `nn` of type `model` with path `models/nn.pt`',
      'Annotate artifact `rf` of type `model` with path `models/rf.pkl`',
    ]);
    assert.deepEqual(server.calls[1]!.arg, {
      repository: '/repo',
      file: 'dvc.yaml',
      name: 'nn',
      action: 'annotate',
      type: 'model',
      path: 'models/nn.pt',
    });
  });

  it('commit: nothing known to have changed offers the files whose state is unknown', async () => {
    const { d, server, prompter } = deps([label('sub/dir/dvc.yaml'), accept]);
    server.contextResult = makeDvcContext({ dirty: false });
    await actions.commit(d, '/repo');
    assert.deepEqual(pickLabels(prompter, 'commitFile'), ['dvc.yaml', 'sub/dir/dvc.yaml']);
    assert.deepEqual(pickLabels(prompter, 'commitMessage'), ['Annotate artifact `sub/dir:clf` of type `model` with path `sub/dir/model.pkl`']);
  });

  it('commit: an unsaved dvc.yaml is offered and saved first', async () => {
    const { d, server, ui, prompter } = deps([accept]);
    server.contextResult = makeDvcContext({ dirty: false });
    ui.dirtyPaths = ['/repo/dvc.yaml'];
    const r = await actions.commit(d, '/repo');
    assert.deepEqual(prompter.ids, ['commitMessage']);
    assert.deepEqual(ui.saved, ['/repo/dvc.yaml']);
    assert.equal(r.status, 'committed');
  });

  it('commit of another file keeps the pending change', async () => {
    const { d, server } = deps([label('artifacts.yaml'), accept]);
    server.contextResult = makeDvcContext({ dirty: true });
    d.pending.set('/repo', { name: 'rf', action: 'annotate', file: 'dvc.yaml' });
    await actions.commit(d, '/repo');
    assert.deepEqual(server.calls[1]!.arg, { repository: '/repo', name: 'nn', action: 'annotate', type: 'model', path: 'models/nn.pt' });
    assert.equal(d.pending.get('/repo')?.file, 'dvc.yaml');
  });
});
