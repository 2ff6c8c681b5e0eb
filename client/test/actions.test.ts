import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as actions from '../src/common/actions';
import { accept, FakeUi, label, makeContext, makeDeps, ok, rfScript } from './fakes';

const deps = makeDeps;


describe('annotate command', () => {
  it('annotate + commit: saves artifacts.yaml, then commits with the answers', async () => {
    const { d, server, ui } = deps(rfScript('Annotate and commit'));
    const r = await actions.annotate(d, '/repo', {});
    assert.deepEqual(server.commands(), ['context', 'annotate', 'commit']);
    assert.deepEqual(server.calls[1]!.arg, { repository: '/repo', name: 'rf', type: 'model', path: 'models/rf.pkl' });
    assert.deepEqual(server.calls[2]!.arg, {
      repository: '/repo',
      name: 'rf',
      action: 'annotate',
      type: 'model',
      path: 'models/rf.pkl',
    });
    assert.deepEqual(ui.saved, ['file:///repo/artifacts.yaml']);
    assert.deepEqual(ui.infos, ['Annotated rf; committed 1a2b3c4']);
    assert.equal(r.status, 'committed');
  });

  it('a commit a hook added files to is reported as such, never as the file alone', async () => {
    const { d, server, ui } = deps(rfScript('Annotate and commit'));
    const said = "Commit 1a2b3c4 does not hold only 'artifacts.yaml': a commit hook added 'other.txt' to it.";
    server.commitResult = { ok: true, sha: '1a2b3c4d', message: `Committed 1a2b3c4: msg ${said}`, otherFiles: ['other.txt'] };
    const r = await actions.annotate(d, '/repo', {});
    assert.equal(r.status, 'committed');
    assert.deepEqual(ui.infos, []);
    assert.equal(ui.errors.length, 1);
    assert.ok(ui.errors[0]!.includes(said), ui.errors[0]);
  });

  it('annotate only: no save, no commit', async () => {
    const { d, server, ui } = deps(rfScript('Annotate'));
    const r = await actions.annotate(d, '/repo', {});
    assert.deepEqual(server.commands(), ['context', 'annotate']);
    assert.deepEqual(ui.saved, []);
    assert.equal(r.status, 'changed');
    assert.equal(d.pending.get('/repo')?.name, 'rf');
  });

  it('push is passed and reported', async () => {
    const { d, server, ui } = deps(rfScript('Annotate, commit and push'));
    server.commitResult = { ok: true, message: '', sha: 'abcdef0123', pushed: true };
    await actions.annotate(d, '/repo', {});
    assert.equal((server.calls[2]!.arg as { push?: boolean }).push, true);
    assert.deepEqual(ui.infos, ['Annotated rf; committed abcdef0 and pushed']);
  });

  it('must-exist and labels reach the server', async () => {
    const { d, server } = deps([ok('rf'), accept, label('models/rf.pkl'), ok(['a', 'b']), ok('RF'), label('Must exist')], {}, { afterAnnotate: 'nothing' });
    await actions.annotate(d, '/repo', {});
    assert.deepEqual(server.calls[1]!.arg, {
      repository: '/repo',
      name: 'rf',
      path: 'models/rf.pkl',
      must_exist: true,
      labels: ['a', 'b'],
      description: 'RF',
    });
  });

  it("the server's refusal is shown as an error and nothing is committed", async () => {
    const { d, server, ui } = deps(rfScript('Annotate and commit'));
    server.annotateResult = { ok: false, message: "Nothing found in 'models/rf.pkl' for checked out commit", applied: false };
    const r = await actions.annotate(d, '/repo', {});
    assert.deepEqual(server.commands(), ['context', 'annotate']);
    assert.deepEqual(ui.errors, ["GTO: Nothing found in 'models/rf.pkl' for checked out commit"]);
    assert.equal(r.status, 'failed');
  });

  it('nothing to change: says so and does not commit', async () => {
    const { d, server, ui } = deps(rfScript('Annotate and commit'));
    server.annotateResult = { ok: true, message: 'Updated `artifacts.yaml` (the file already says this: nothing to change)', applied: false };
    const r = await actions.annotate(d, '/repo', {});
    assert.equal(r.status, 'unchanged');
    assert.deepEqual(server.commands(), ['context', 'annotate']);
    assert.match(ui.infos[0] ?? '', /nothing to change/);
  });

  it('Escape: the server is not asked to change anything', async () => {
    const { d, server } = deps([ok('rf'), { kind: 'cancel' }]);
    const r = await actions.annotate(d, '/repo', {});
    assert.deepEqual(server.commands(), ['context']);
    assert.equal(r.status, 'cancelled');
  });

  it('untrusted: annotates but refuses to commit, saying why', async () => {
    const { d, server, ui } = deps(rfScript('Annotate and commit'), { trusted: false });
    const r = await actions.annotate(d, '/repo', {});
    assert.deepEqual(server.commands(), ['context', 'annotate']);
    assert.equal(r.status, 'commitRefused');
    assert.match(ui.errors[0] ?? '', /did not commit: the workspace is not trusted/);
  });

  it('a failed commit says the annotate happened', async () => {
    const { d, server, ui } = deps(rfScript('Annotate and commit'));
    server.commitResult = { ok: false, message: 'artifacts.yaml has unsaved changes' };
    const r = await actions.annotate(d, '/repo', {});
    assert.equal(r.status, 'commitFailed');
    assert.deepEqual(ui.errors, ['Annotated rf, but the commit failed: artifacts.yaml has unsaved changes']);
  });

  it('afterAnnotate=commit commits without asking', async () => {
    const { d, server, prompter } = deps([ok('ds'), accept, label('No path (virtual)'), ok([]), ok('')], {}, { afterAnnotate: 'commit' });
    const r = await actions.annotate(d, '/repo', {});
    assert.ok(!prompter.ids.includes('followUp'));
    assert.deepEqual(server.commands(), ['context', 'annotate', 'commit']);
    assert.equal(r.status, 'committed');
  });

  it('a context error stops before any prompt', async () => {
    const { d, server, ui, prompter } = deps([]);
    server.contextResult = { ...makeContext(), ok: false, message: '. is not a git repository' };
    const r = await actions.annotate(d, '/repo', {});
    assert.equal(r.status, 'failed');
    assert.deepEqual(prompter.ids, []);
    assert.deepEqual(ui.errors, ['GTO: . is not a git repository']);
  });
});

describe('remove command', () => {
  it('picks, confirms with the commit question, removes and commits', async () => {
    const { d, server, ui, prompter } = deps([label('nn'), label('Remove and commit')]);
    const r = await actions.remove(d, '/repo', {});
    assert.deepEqual(prompter.ids, ['removeName', 'removeConfirm']);
    assert.deepEqual(server.commands(), ['context', 'remove', 'commit']);
    assert.deepEqual(server.calls[2]!.arg, { repository: '/repo', name: 'nn', action: 'remove' });
    assert.deepEqual(ui.infos, ['Removed nn; committed 1a2b3c4']);
    assert.equal(r.status, 'committed');
  });

  it('from a code action: only the confirmation', async () => {
    const { d, server, prompter } = deps([label('Remove')]);
    await actions.remove(d, '/repo', { name: 'nn' });
    assert.deepEqual(prompter.ids, ['removeConfirm']);
    assert.deepEqual(server.commands(), ['context', 'remove']);
  });

  it('Escape at the confirmation removes nothing', async () => {
    const { d, server } = deps([label('nn'), { kind: 'cancel' }]);
    assert.equal((await actions.remove(d, '/repo', {})).status, 'cancelled');
    assert.deepEqual(server.commands(), ['context']);
  });
});

describe('commit command', () => {
  it('refuses in an untrusted workspace without asking the server', async () => {
    const { d, server, ui } = deps([], { trusted: false });
    const r = await actions.commit(d, '/repo');
    assert.equal(r.status, 'commitRefused');
    assert.deepEqual(server.commands(), []);
    assert.match(ui.errors[0] ?? '', /^Cannot commit annotations: the workspace is not trusted/);
  });

  it('refuses when git is turned off', async () => {
    const { d, ui } = deps([], {}, { gitEnabled: false });
    await actions.commit(d, '/repo');
    assert.match(ui.errors[0] ?? '', /gto\.git\.enabled/);
  });

  it('offers the last change first and commits it', async () => {
    const { d, server, prompter } = deps([accept]);
    server.contextResult = makeContext({ dirty: true });
    d.pending.set('/repo', { name: 'rf', action: 'remove', file: 'artifacts.yaml' });
    const r = await actions.commit(d, '/repo');
    assert.equal(prompter.shown[0]!.raw.placeholder?.includes('GTO style'), true);
    assert.deepEqual(server.calls[1]!.arg, { repository: '/repo', name: 'rf', action: 'remove' });
    assert.equal(r.status, 'committed');
    assert.equal(d.pending.get('/repo'), undefined);
  });

  it('unsaved changes in the editor count as changes to commit', async () => {
    const { d, server, ui } = deps([accept]);
    ui.dirty = true;
    d.pending.set('/repo', { name: 'rf', action: 'remove', file: 'artifacts.yaml' });
    const r = await actions.commit(d, '/repo');
    assert.equal(r.status, 'committed');
    assert.deepEqual(ui.saved, ['/repo/artifacts.yaml']);
    assert.deepEqual(server.commands(), ['context', 'commit']);
  });

  it('nothing to commit when artifacts.yaml is clean', async () => {
    const { d, ui } = deps([]);
    const r = await actions.commit(d, '/repo');
    assert.equal(r.status, 'cancelled');
    assert.match(ui.infos[0] ?? '', /no changes to commit/);
  });
});

describe('move annotations to dvc.yaml', () => {
  const summary = 'Moves 2 artifacts to dvc.yaml; drops 1 comment.';
  const fakeServer = (calls: object[]) => ({
    migrate: async (params: { dryRun?: boolean }) => {
      calls.push(params);
      return { ok: true, applied: !params.dryRun, message: summary };
    },
  });

  it('says what would move and be dropped, moves once confirmed, and says what it did', async () => {
    const ui = new FakeUi();
    const calls: object[] = [];
    const r = await actions.migrate(fakeServer(calls), ui, { repository: '/repo' });
    assert.equal(r.status, 'changed');
    assert.deepEqual(calls, [{ repository: '/repo', dryRun: true }, { repository: '/repo' }]);
    assert.deepEqual(ui.confirms, [`${summary} Move them? [Move]`]);
    assert.match(ui.infos[0] ?? '', /Moves 2 artifacts to dvc\.yaml; drops 1 comment\. \(not saved yet; Undo reverts it\)/);
  });

  it('dismissed: nothing moves', async () => {
    const ui = new FakeUi();
    ui.confirmAnswer = false;
    const calls: object[] = [];
    const r = await actions.migrate(fakeServer(calls), ui, { repository: '/repo' });
    assert.equal(r.status, 'cancelled');
    assert.deepEqual(calls, [{ repository: '/repo', dryRun: true }]);
  });

  it("the server's refusal is an error", async () => {
    const ui = new FakeUi();
    const server = { migrate: async () => ({ ok: false, applied: false, message: 'No artifacts.yaml in /repo: nothing to move.' }) };
    const r = await actions.migrate(server, ui, { repository: '/repo' });
    assert.equal(r.status, 'failed');
    assert.match(ui.errors[0] ?? '', /nothing to move/);
  });
});
