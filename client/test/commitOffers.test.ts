import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as actions from '../src/common/actions';
import type { AnnotateParams, EditResult, RemoveParams } from '../src/common/contract';
import { label, makeContext, makeDeps, rfScript } from './fakes';

// Annotate-and-commit commits the whole file: other edits of it go into the commit too (issue 12, item 16).

/** The server applies its edit in the editor: from then on the document is unsaved because of it. */
function editMakesDirty(made: ReturnType<typeof makeDeps>): void {
  const { server, ui } = made;
  const annotate = server.annotate.bind(server);
  const remove = server.remove.bind(server);
  server.annotate = async (p: AnnotateParams): Promise<EditResult> => {
    ui.dirty = true;
    return annotate(p);
  };
  server.remove = async (p: RemoveParams): Promise<EditResult> => {
    ui.dirty = true;
    return remove(p);
  };
}

describe('a commit that would take along other changes of the file', () => {
  it('no other change: commits without asking, although the edit itself left the document unsaved', async () => {
    const made = makeDeps(rfScript('Annotate and commit'));
    editMakesDirty(made);
    const r = await actions.annotate(made.d, '/repo', {});
    assert.deepEqual(made.ui.confirms, []);
    assert.equal(r.status, 'committed');
  });

  it('other unsaved edits: says so before committing; Commit All commits', async () => {
    const made = makeDeps(rfScript('Annotate and commit'));
    made.ui.dirtyPaths = ['/repo/artifacts.yaml'];
    const r = await actions.annotate(made.d, '/repo', {});
    assert.deepEqual(made.ui.confirms, [
      'artifacts.yaml has other unsaved changes: the commit will include them. Commit all of artifacts.yaml? [Commit All]',
    ]);
    assert.deepEqual(made.server.commands(), ['context', 'annotate', 'commit']);
    assert.equal(r.status, 'committed');
  });

  it('Cancel: the annotation stays in the editor, nothing is saved or committed, and it says how to commit later', async () => {
    const made = makeDeps(rfScript('Annotate and commit'));
    made.ui.dirtyPaths = ['/repo/artifacts.yaml'];
    made.ui.confirmAnswer = false;
    const r = await actions.annotate(made.d, '/repo', {});
    assert.deepEqual(made.server.commands(), ['context', 'annotate']);
    assert.deepEqual(made.ui.saved, []);
    assert.equal(r.status, 'changed');
    assert.deepEqual(made.ui.infos, [
      'Annotated rf in artifacts.yaml, not committed (other unsaved changes there too). Commit with "GTO: Commit Annotations..." when ready.',
    ]);
  });

  it('saved but uncommitted changes are named too', async () => {
    const made = makeDeps(rfScript('Annotate and commit'));
    made.server.contextResult = makeContext({ dirty: true });
    await actions.annotate(made.d, '/repo', {});
    assert.deepEqual(made.ui.confirms, [
      'artifacts.yaml has other changes since the last commit: the commit will include them. Commit all of artifacts.yaml? [Commit All]',
    ]);
  });

  it('remove asks the same', async () => {
    const made = makeDeps([label('nn'), label('Remove and commit')]);
    made.ui.dirtyPaths = ['/repo/artifacts.yaml'];
    made.ui.confirmAnswer = false;
    const r = await actions.remove(made.d, '/repo', {});
    assert.equal(made.ui.confirms.length, 1);
    assert.deepEqual(made.server.commands(), ['context', 'remove']);
    assert.equal(r.status, 'changed');
  });

  it('no commit asked for: no question', async () => {
    const made = makeDeps(rfScript('Annotate'));
    made.ui.dirtyPaths = ['/repo/artifacts.yaml'];
    await actions.annotate(made.d, '/repo', {});
    assert.deepEqual(made.ui.confirms, []);
  });
});

describe('push is offered only where a commit can be pushed', () => {
  const labelsOf = (raw: unknown): string[] => (raw as { items: { label: string }[] }).items.map((i) => i.label);

  it('annotate: no upstream, no "commit and push"', async () => {
    const made = makeDeps(rfScript('Annotate and commit'));
    made.server.contextResult = makeContext({ pushRemote: null });
    await actions.annotate(made.d, '/repo', {});
    const followUp = made.prompter.shown.find((s) => s.id === 'followUp');
    assert.deepEqual(labelsOf(followUp?.raw), ['Annotate', 'Annotate and commit']);
  });

  it('remove: no upstream, no "commit and push"; with one, it is there', async () => {
    const none = makeDeps([label('nn'), label('Remove')]);
    none.server.contextResult = makeContext({ pushRemote: null });
    await actions.remove(none.d, '/repo', {});
    assert.deepEqual(labelsOf(none.prompter.shown.at(-1)?.raw), ['Remove', 'Remove and commit']);
    const some = makeDeps([label('nn'), label('Remove')]);
    some.server.contextResult = makeContext({ pushRemote: 'origin' });
    await actions.remove(some.d, '/repo', {});
    assert.deepEqual(labelsOf(some.prompter.shown.at(-1)?.raw), ['Remove', 'Remove and commit', 'Remove, commit and push']);
  });
});
