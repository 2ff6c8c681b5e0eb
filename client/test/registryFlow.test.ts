import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RegistryWriteResult } from '../src/common/contract';
import type { PickStep } from '../src/common/prompter';
import * as flow from '../src/common/registryFlow';
import { accept, cancel, label, makeContext, makeDeps, makeDvcContext, makeRegistryState, ok, typed, type Answer } from './fakes';

function deps(script: Answer[], over: Parameters<typeof makeDeps>[1] = {}, settings: Parameters<typeof makeDeps>[2] = {}) {
  const made = makeDeps(script, over, settings);
  return { ...made, d: { ...made.d, ui: made.ui } as flow.RegistryDeps };
}

/** Pick the item whose label starts with `prefix`. */
const starting = (prefix: string) => (s: unknown) => {
  const step = s as PickStep<unknown>;
  const item = step.items.find((i) => i.label.startsWith(prefix));
  if (!item) {
    throw new Error(`step ${step.id}: no item starting '${prefix}' in ${step.items.map((i) => i.label).join(', ')}`);
  }
  return ok(item.value);
};

const labels = (shown: { raw: unknown }): string[] => (shown.raw as PickStep<unknown>).items.map((i) => i.label);

describe('Register Version...', () => {
  it('from the code lens: proposes the bumps with their tags, shows the tag before creating it, offers Push', async () => {
    const { d, server, ui, prompter } = deps([label('v1.4.0'), starting('Create rf@v1.4.0')]);
    server.writeResult = (_c, p) => ({
      ok: true,
      message: p.dryRun ? '' : "Created git tag 'rf@v1.4.0' that registers version",
      tag: 'rf@v1.4.0',
      tags: [{ tag: 'rf@v1.4.0', message: 'Registering artifact rf version v1.4.0' }],
      pushed: false,
    });
    const r = await flow.register(d, '/repo', { repository: '/repo', name: 'rf' });
    assert.deepEqual(prompter.ids, ['version', 'confirm']);
    assert.deepEqual(labels(prompter.shown[0]!), ['v1.3.1', 'v1.4.0', 'v2.0.0', 'Custom version...']);
    assert.match((prompter.shown[0]!.raw as PickStep<unknown>).items[1]!.description ?? '', /minor bump of v1.3.0 · tag rf@v1.4.0/);
    // The confirmation names the tag the server planned (a dry run) and its message.
    const confirm = prompter.shown[1]!.raw as PickStep<unknown>;
    assert.match(confirm.placeholder ?? '', /^Create the tag rf@v1.4.0 at HEAD \(c300000\)\?/);
    assert.deepEqual(confirm.items.map((i) => [i.label, i.description]), [
      ['Create rf@v1.4.0', 'Registering artifact rf version v1.4.0'],
      ['Create rf@v1.4.0 and push', 'to origin'],
    ]);
    assert.deepEqual(server.commands(), ['registryState', 'register?', 'register']);
    assert.deepEqual(server.calls[2]!.arg, { repository: '/repo', name: 'rf', bump: 'minor' });
    assert.deepEqual(ui.progressTitles, ['GTO: Register Version: creating the tag']);
    assert.deepEqual(ui.infos, ["Created git tag 'rf@v1.4.0' that registers version [Push]"]);
    assert.equal(r.status, 'created');
    assert.deepEqual(r.tags, ['rf@v1.4.0']);
  });

  it('Push on the notification pushes exactly the created tags', async () => {
    const { d, server, ui } = deps([accept, accept]);
    ui.button = flow.PUSH;
    const r = await flow.register(d, '/repo', { name: 'rf' });
    assert.deepEqual(server.commands(), ['registryState', 'register?', 'register', 'pushTags']);
    assert.deepEqual(server.calls[3]!.arg, { repository: '/repo', tags: ['rf@v1.3.1'] });
    assert.equal(r.status, 'pushed');
  });

  it('create and push in one go', async () => {
    const { d, server, ui } = deps([accept, starting('Create rf@v1.3.1 and push')]);
    server.writeResult = { ok: true, message: "Created git tag 'rf@v1.3.1' that registers version", tag: 'rf@v1.3.1', pushed: true };
    const r = await flow.register(d, '/repo', { name: 'rf' });
    assert.deepEqual(server.calls[2]!.arg, { repository: '/repo', name: 'rf', bump: 'patch', push: true });
    assert.deepEqual(ui.infos, ["Created git tag 'rf@v1.3.1' that registers version (pushed)"]);
    assert.equal(r.status, 'pushed');
  });

  it('a custom version, and the first version of an artifact (no bump offered)', async () => {
    const custom = deps([label('Custom version...'), ok('v2.0.0-rc.1'), accept]);
    await flow.register(custom.d, '/repo', { name: 'rf' });
    assert.deepEqual(custom.server.calls.at(-1)!.arg, { repository: '/repo', name: 'rf', version: 'v2.0.0-rc.1' });
    const first = deps([accept, accept]);
    first.server.stateResult = makeRegistryState({
      registered: false,
      latest: null,
      stages: {},
      versions: [],
      next: {},
      defaultVersion: 'v0.0.1',
      registerTags: { patch: 'rf@v0.0.1' },
    });
    await flow.register(first.d, '/repo', { name: 'rf' });
    assert.deepEqual(labels(first.prompter.shown[0]!), ['v0.0.1', 'Custom version...']);
    assert.deepEqual(first.server.calls.at(-1)!.arg, { repository: '/repo', name: 'rf' });
  });

  it('a typed version is checked as it is typed: a bad one keeps the prompt open with the reason', async () => {
    const { d, server, ui, prompter } = deps([typed('1.4'), typed('v1.3.0'), typed('1.5.0'), typed('v1.5.0'), accept]);
    const r = await flow.register(d, '/repo', { name: 'rf' });
    assert.deepEqual(prompter.ids, ['version', 'confirm'], 'one version prompt, never ended by a bad version');
    assert.deepEqual(
      prompter.refused.map((x) => [x.text, x.message]),
      [
        ['1.4', `'1.4' is not a version GTO accepts: "v" and a SemVer 2.0 version, e.g. v1.0.0 or v2.0.0-rc.1`],
        ['v1.3.0', 'v1.3.0 is registered already (commit c200000): choose another version'],
        ['1.5.0', `'1.5.0' is not a version GTO accepts: "v" and a SemVer 2.0 version, e.g. v1.0.0 or v2.0.0-rc.1 (did you mean v1.5.0?)`],
      ],
    );
    assert.deepEqual(server.calls.at(-1)!.arg, { repository: '/repo', name: 'rf', version: 'v1.5.0' });
    assert.deepEqual(ui.errors, []);
    assert.equal(r.status, 'created');
  });

  it('the custom version box validates the same way', async () => {
    const state = makeRegistryState({
      versions: [{ version: 'v2.0.0', commit: 'c9'.padEnd(40, '0'), active: false, stages: [] }],
    });
    const { d, server, prompter } = deps([label('Custom version...'), typed('v2.0'), typed('v2.0.0'), typed('v2.0.1-rc.1'), accept]);
    server.stateResult = state;
    await flow.register(d, '/repo', { name: 'rf' });
    assert.deepEqual(prompter.ids, ['version', 'customVersion', 'confirm']);
    assert.deepEqual(
      prompter.refused.map((x) => x.message),
      [
        `'v2.0' is not a version GTO accepts: "v" and a SemVer 2.0 version, e.g. v1.0.0 or v2.0.0-rc.1`,
        'v2.0.0 was registered and deregistered already (commit c900000): choose another version',
      ],
    );
    assert.deepEqual(server.calls.at(-1)!.arg, { repository: '/repo', name: 'rf', version: 'v2.0.1-rc.1' });
  });

  it('validateVersion: GTO\'s SemVer rule', () => {
    const none = { versions: [] };
    for (const good of ['v0.0.1', 'v1.2.3-rc.1', 'v1.2.3+build.5', 'v10.20.30-alpha-1.0+x']) {
      assert.equal(flow.validateVersion(good, none), undefined, good);
    }
    for (const bad of ['', 'v1', 'v1.2', 'V1.2.3', 'v01.2.3', 'v1.2.3-', 'v1.2.3-01', 'v1.2.3 x']) {
      assert.ok(flow.validateVersion(bad, none), bad);
    }
  });

  it('no remote: neither "and push" nor a Push button is offered', async () => {
    for (const run of [flow.register, flow.assign, flow.deprecate]) {
      const { d, server, ui, prompter } = deps([accept, accept, accept, accept]);
      server.stateResult = makeRegistryState({ remote: null });
      ui.button = flow.PUSH;
      const r = await run(d, '/repo', { name: 'rf' });
      const confirm = prompter.shown.at(-1)!.raw as PickStep<unknown>;
      assert.equal(confirm.id, 'confirm');
      assert.deepEqual(confirm.items.map((i) => i.label).filter((l) => /push/.test(l)), [], run.name);
      assert.ok(!server.commands().includes('pushTags'), run.name);
      assert.match(ui.infos.at(-1) ?? '', /\(the repository has no remote to push to\)$/);
      assert.ok(!(ui.infos.at(-1) ?? '').includes('[Push]'));
      assert.equal(r.status, 'created');
    }
  });

  it('the push names the remote it goes to', async () => {
    const { d, server, prompter } = deps([accept, accept]);
    server.stateResult = makeRegistryState({ remote: 'upstream' });
    await flow.register(d, '/repo', { name: 'rf' });
    const confirm = prompter.shown.at(-1)!.raw as PickStep<unknown>;
    assert.deepEqual(confirm.items[1]!.description, 'to upstream');
  });

  it("GTO's refusal (from the dry run) is shown and nothing is created", async () => {
    const { d, server, ui } = deps([accept]);
    server.writeResult = { ok: false, message: "'rf' is already registered in this commit with version 'v1.3.0'" };
    const r = await flow.register(d, '/repo', { name: 'rf' });
    assert.deepEqual(server.commands(), ['registryState', 'register?']);
    assert.deepEqual(ui.errors, ["GTO: 'rf' is already registered in this commit with version 'v1.3.0'"]);
    assert.equal(r.status, 'failed');
  });

  it('Restricted Mode or git off: refused before any prompt or server call', async () => {
    for (const [over, settings, why] of [
      [{ trusted: false }, {}, /not trusted/],
      [{}, { gitEnabled: false }, /gto\.git\.enabled/],
    ] as const) {
      for (const run of [flow.register, flow.assign, flow.deprecate]) {
        const { d, server, ui, prompter } = deps([], over, settings);
        const r = await run(d, '/repo', { name: 'rf' });
        assert.equal(r.status, 'refused');
        assert.deepEqual(server.commands(), []);
        assert.deepEqual(prompter.ids, []);
        assert.match(ui.errors[0] ?? '', why);
      }
    }
  });

  it('from the palette: the artifact is picked among the annotated and the registered ones', async () => {
    const { d, server, prompter } = deps([label('churn'), accept, accept]);
    server.contextResult = makeContext({ registry: { churn: { latest: 'v0.1.0', stages: { prod: 'v0.1.0' }, deprecated: false } } });
    await flow.register(d, '/repo', {});
    assert.deepEqual(prompter.ids, ['artifact', 'version', 'confirm']);
    assert.deepEqual(labels(prompter.shown[0]!), ['churn', 'nn']);
    assert.match((prompter.shown[0]!.raw as PickStep<unknown>).items[0]!.description ?? '', /^v0\.1\.0 · prod: v0\.1\.0$/);
    assert.deepEqual(server.calls[1]!.arg, { repository: '/repo', name: 'churn' });
  });

  it("from the explorer: the artifact annotated with the file's path, by its full name", async () => {
    const { d, server, prompter } = deps([accept, accept]);
    server.contextResult = makeDvcContext();
    await flow.register(d, '/repo', { path: 'sub/dir/model.pkl' });
    assert.deepEqual(prompter.ids, ['version', 'confirm']);
    assert.deepEqual(server.calls[1]!.arg, { repository: '/repo', name: 'sub/dir:clf' });
    const none = deps([]);
    const r = await flow.register(none.d, '/repo', { path: 'data/train.csv' });
    assert.equal(r.status, 'cancelled');
    assert.match(none.ui.errors[0] ?? '', /no artifact is annotated with the path 'data\/train.csv'/);
  });
});

describe('Assign Stage...', () => {
  it('offers the stages in use with their versions (and a new one), the latest version, then creates the tag', async () => {
    const { d, server, prompter } = deps([label('prod'), accept, accept]);
    server.writeResult = (_c, p) => ({
      ok: true,
      message: p.dryRun ? '' : "Created git tag 'rf#prod#3' that assigns stage to version 'v1.3.0'",
      tag: 'rf#prod#3',
      tags: [{ tag: 'rf#prod#3', message: 'Assigning stage prod to artifact rf version v1.3.0' }],
    });
    const r = await flow.assign(d, '/repo', { name: 'rf' });
    assert.deepEqual(prompter.ids, ['stage', 'assignVersion', 'confirm']);
    const stage = prompter.shown[0]!.raw as PickStep<unknown>;
    assert.deepEqual(stage.items.map((i) => [i.label, i.description]), [['prod', 'now v1.2.0'], ['staging', 'now v1.3.0']]);
    assert.ok(stage.freeText, 'a new stage can be typed');
    assert.deepEqual(labels(prompter.shown[1]!), ['v1.3.0', 'v1.2.0', 'HEAD (c300000)']);
    assert.match((prompter.shown[2]!.raw as PickStep<unknown>).placeholder ?? '', /Create the tag rf#prod#3 \(stage 'prod'\)/);
    assert.deepEqual(server.calls.at(-1)!.arg, { repository: '/repo', name: 'rf', stage: 'prod', version: 'v1.3.0' });
    assert.equal(r.status, 'created');
  });

  it(".gto's stages only; HEAD registers first (both tags shown)", async () => {
    const { d, server, prompter } = deps([label('dev'), starting('HEAD'), accept]);
    server.stateResult = makeRegistryState({ stageChoices: ['dev', 'prod'], stagesRestricted: true });
    server.writeResult = {
      ok: true,
      message: '',
      tag: 'rf#dev#3',
      tags: [
        { tag: 'rf@v1.3.1', message: 'Registering artifact rf version v1.3.1' },
        { tag: 'rf#dev#3', message: 'Assigning stage dev to artifact rf version v1.3.1' },
      ],
    };
    await flow.assign(d, '/repo', { name: 'rf' });
    assert.equal((prompter.shown[0]!.raw as PickStep<unknown>).freeText, undefined);
    assert.match((prompter.shown[2]!.raw as PickStep<unknown>).placeholder ?? '', /rf@v1.3.1 then rf#dev#3/);
    assert.deepEqual(server.calls.at(-1)!.arg, { repository: '/repo', name: 'rf', stage: 'dev' });
  });

  it("a version already in the stage: GTO's --force case is offered as a new tag anyway", async () => {
    const { d, server, prompter } = deps([label('staging'), accept, accept]);
    server.writeResult = (_c, p): RegistryWriteResult =>
      p.force
        ? { ok: true, message: p.dryRun ? '' : 'Created', tag: 'rf#staging#3', tags: [{ tag: 'rf#staging#3', message: 'm' }] }
        : {
            ok: false,
            message: "Version 'v1.3.0' is already in stage 'staging'. Use the '--force' flag to create a new Git tag nevertheless.",
          };
    const r = await flow.assign(d, '/repo', { name: 'rf' });
    assert.match((prompter.shown[2]!.raw as PickStep<unknown>).placeholder ?? '', /^Version 'v1.3.0' is already in stage 'staging'\. Create rf#staging#3 anyway/);
    assert.deepEqual(server.calls.at(-1)!.arg, { repository: '/repo', name: 'rf', stage: 'staging', version: 'v1.3.0', force: true });
    assert.equal(r.status, 'created');
  });

  it('Escape at the confirmation creates nothing', async () => {
    const { d, server } = deps([label('prod'), accept, cancel]);
    const r = await flow.assign(d, '/repo', { name: 'rf' });
    assert.equal(r.status, 'cancelled');
    assert.deepEqual(server.commands(), ['registryState', 'assign?']);
  });
});

describe('Deprecate...', () => {
  it('lists unassign, deregister and deprecate with what each names', async () => {
    const { d, server, prompter } = deps([label('Unassign stage prod'), accept]);
    const r = await flow.deprecate(d, '/repo', { name: 'rf' });
    assert.deepEqual(labels(prompter.shown[0]!), [
      'Unassign stage staging',
      'Unassign stage prod',
      'Deregister v1.3.0',
      'Deregister v1.2.0',
      'Deprecate the artifact rf',
    ]);
    assert.deepEqual(server.calls.at(-1)!.arg, { repository: '/repo', name: 'rf', version: 'v1.2.0', stage: 'prod' });
    assert.equal(r.status, 'created');
  });

  it('the artifact itself; an artifact without tags has nothing to deprecate', async () => {
    const { d, server } = deps([label('Deprecate the artifact rf'), accept]);
    await flow.deprecate(d, '/repo', { name: 'rf' });
    assert.deepEqual(server.calls.at(-1)!.arg, { repository: '/repo', name: 'rf' });
    const none = deps([]);
    none.server.stateResult = makeRegistryState({ registered: false, versions: [], stages: {}, latest: null });
    const r = await flow.deprecate(none.d, '/repo', { name: 'rf' });
    assert.equal(r.status, 'cancelled');
    assert.deepEqual(none.server.commands(), ['registryState']);
  });

  it('a failed push after creating says so and keeps the tag', async () => {
    const { d, server, ui } = deps([label('Deregister v1.3.0'), starting('Create rf@v1.3.0! and push')]);
    server.writeResult = (_c, p) => ({
      ok: true,
      message: p.dryRun ? '' : "Created git tag 'rf@v1.3.0!' that deregisters version",
      tag: 'rf@v1.3.0!',
      pushed: false,
      ...(p.dryRun ? {} : { pushError: 'no remote' }),
    });
    const r = await flow.deprecate(d, '/repo', { name: 'rf' });
    assert.equal(r.status, 'pushFailed');
    assert.deepEqual(ui.errors, ["Created git tag 'rf@v1.3.0!' that deregisters version, but the push failed: no remote"]);
  });
});
