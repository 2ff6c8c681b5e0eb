import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { historyHtml } from '../src/common/historyHtml';
import { comparison, documentText, gitFileUri, pickOtherVersion, versionUri } from '../src/common/registryDocs';
import { chooseFilter } from '../src/common/registryFilter';
import { present, RegistryModel, versionTag, type RegistryNode, type VersionNode } from '../src/common/registryTree';
import { absoluteTime, relativeTime } from '../src/common/time';
import { FakeServer, label, makeOverview, ScriptedPrompter, T, typed } from './fakes';

const NOW = (T + 5 * 86400) * 1000;

function model(repos = ['/repo']) {
  const server = new FakeServer();
  const m = new RegistryModel(server, () => repos, () => NOW);
  return { server, m };
}

const view = (n: RegistryNode) => present(n, NOW);
const rows = (nodes: RegistryNode[]) => nodes.map((n) => [view(n).label, view(n).description]);

async function child(m: RegistryModel, parent: RegistryNode | undefined, name: string): Promise<RegistryNode> {
  const found = (await m.children(parent)).find((n) => view(n).label === name);
  assert.ok(found, `a node '${name}'`);
  return found;
}

describe('Registry view: the tree', () => {
  it('one repository: its artifacts at the top, with type, latest version, stage badges; tag-only and deprecated marked', async () => {
    const { m } = model();
    const top = await m.children();
    assert.deepEqual(rows(top), [
      ['data', 'dataset · not registered'],
      ['legacy', 'v0.1.0 · prod · tags only'],
      ['old', 'model · deprecated'],
      ['rf', 'model · v1.3.0 · prod, staging'],
    ]);
    const [data, legacy, old, rf] = top.map(view);
    assert.equal(rf!.icon, 'package');
    assert.equal(rf!.collapsible, 'collapsed');
    assert.equal(rf!.contextValue, 'artifact registered annotated');
    assert.equal(data!.collapsible, 'none', 'nothing registered: nothing to expand');
    assert.equal(legacy!.icon, 'tag');
    assert.match(legacy!.tooltip, /Only in GTO tags/);
    assert.equal(old!.greyed, true);
    assert.equal(old!.iconColor, 'disabledForeground');
    assert.match(old!.contextValue, /\bdeprecated\b/);
    assert.match(rf!.tooltip, /\| prod \| v1\.2\.0 \|/);
  });

  it('badges follow the repository stage order (.gto), then the others', async () => {
    const { server, m } = model();
    server.overview = makeOverview({ stages: ['staging', 'prod'] });
    const rf = await child(m, undefined, 'rf');
    assert.equal(view(rf).description, 'model · v1.3.0 · staging, prod');
  });

  it('several repositories: one top node each', async () => {
    const { server, m } = model(['/a', '/b']);
    server.overviews['/b'] = makeOverview({ repository: '/b', artifacts: [] });
    const top = await m.children();
    assert.deepEqual(rows(top), [
      ['a', '/a'],
      ['b', '/b'],
    ]);
    assert.deepEqual(rows(await m.children(top[1])), [['No artifacts: annotate one (GTO: Annotate Artifact...) or register a version', '']]);
    assert.equal((await m.children(top[0])).length, 4);
  });

  it('an artifact expands to its versions (stages, latest, deregistered), a version to its events', async () => {
    const { m } = model();
    const rf = await child(m, undefined, 'rf');
    const versions = await m.children(rf);
    assert.deepEqual(rows(versions), [
      ['v1.3.0', 'staging · latest'],
      ['v1.2.0', 'prod'],
      ['v1.1.0', 'deregistered'],
    ]);
    assert.equal(view(versions[2]!).greyed, true);
    assert.deepEqual((versions as VersionNode[]).map(versionTag), ['rf@v1.3.0', 'rf@v1.2.0', 'rf@v1.1.0'], 'Copy Tag: the registering tag');
    assert.equal(view(versions[0]!).contextValue, 'version active named staged');
    const events = await m.children(versions[1]);
    assert.deepEqual(rows(events), [
      ['assigned prod', 'Demo User · 2 days ago'],
      ['registered', 'Demo User · 5 days ago'],
    ]);
    const tooltip = view(events[0]!).tooltip;
    assert.match(tooltip, /2026-01-08 10:00:00 UTC \(2 days ago\)/);
    assert.match(tooltip, /Tag `rf#prod#1` on commit `c100000`/);
    assert.match(tooltip, /> Assigning stage prod to artifact rf version v1\.2\.0/);
    assert.match(tooltip, /By Demo User <demo@example\.com>/);
    // The tree walks back up for reveal: the same objects it was handed.
    assert.equal(m.parent(events[0]!), versions[1]);
    assert.equal(m.parent(versions[1]!), rf);
    assert.equal(m.parent(rf), undefined);
  });

  it('a refusal or GTO error shows as a message node that says it', async () => {
    const { server, m } = model();
    server.overview = makeOverview({ ok: false, message: 'git is turned off by the setting gto.git.enabled' });
    assert.deepEqual(rows(await m.children()), [['git is turned off by the setting gto.git.enabled', '']]);
    const other = model();
    other.server.overview = makeOverview({ error: 'Wrong config file', artifacts: [] });
    assert.deepEqual(rows(await other.m.children()), [['GTO cannot read this registry: Wrong config file', '']]);
  });
});

describe('Registry view: filters', () => {
  const names = async (m: RegistryModel) => (await m.children()).map((n) => view(n).label);

  it('by stage, type, label and text; the view description says what is active', async () => {
    const { m } = model();
    m.setFilter({ stage: 'prod' });
    assert.deepEqual(await names(m), ['legacy', 'rf']);
    m.setFilter({ type: 'model' });
    assert.deepEqual(await names(m), ['old', 'rf']);
    m.setFilter({ label: 'tabular', type: 'model' });
    assert.deepEqual(await names(m), ['old', 'rf']);
    m.setFilter({ text: 'FOREST' });
    assert.deepEqual(await names(m), ['old', 'rf']);
    m.setFilter({ text: 'v1.3' });
    assert.deepEqual(await names(m), ['rf']);
    m.setFilter({ text: 'data/train' });
    assert.deepEqual(await names(m), ['data']);
    m.setFilter({ text: ' nothing ', stage: 'prod' });
    assert.equal(m.describeFilter(), '"nothing" · stage: prod');
    assert.deepEqual(await names(m), ['No artifact matches "nothing" · stage: prod (4 hidden): clear the filter']);
    m.setFilter({ stage: '' });
    assert.equal(m.filtered, false);
    assert.deepEqual(await names(m), ['data', 'legacy', 'old', 'rf']);
  });

  it('the deprecated toggle hides deprecated artifacts and says so', async () => {
    const { m } = model();
    const changes: (string | undefined)[] = [];
    m.onDidChange((r) => changes.push(r));
    assert.equal(m.toggleDeprecated(), false);
    assert.deepEqual(await names(m), ['data', 'legacy', 'rf']);
    assert.equal(m.describeFilter(), 'deprecated hidden');
    m.toggleDeprecated();
    assert.deepEqual(await names(m), ['data', 'legacy', 'old', 'rf']);
    assert.equal(changes.length, 2);
  });

  it('the filter prompt: typed text searches; a facet then its value; "Any" drops it; Clear clears', async () => {
    const { m } = model();
    const choices = await m.choices();
    assert.deepEqual(choices, { stages: ['prod', 'staging'], types: ['dataset', 'model'], labels: ['tabular'] });
    const p1 = new ScriptedPrompter([typed('forest')]);
    assert.deepEqual(await chooseFilter(p1, {}, choices), { text: 'forest' });
    const p2 = new ScriptedPrompter([label('By stage...'), label('prod')]);
    assert.deepEqual(await chooseFilter(p2, { text: 'x' }, choices), { text: 'x', stage: 'prod' });
    assert.deepEqual(p2.ids, ['filter', 'filter-stage']);
    const p3 = new ScriptedPrompter([label('By stage...'), label('Any stage')]);
    assert.deepEqual(await chooseFilter(p3, { stage: 'prod', type: 'model' }, choices), { type: 'model' });
    const p4 = new ScriptedPrompter([label('Clear the filter')]);
    assert.deepEqual(await chooseFilter(p4, { stage: 'prod' }, choices), {});
    const p5 = new ScriptedPrompter([label('By type...'), { kind: 'back' }, { kind: 'cancel' }]);
    assert.equal(await chooseFilter(p5, {}, choices), undefined);
    assert.deepEqual(p5.ids, ['filter', 'filter-type', 'filter']);
  });
});

describe('Registry view: follows the tags', () => {
  it('the server\'s gto/registryChanged (the root) refreshes that repository: asked again, listeners told', async () => {
    const { server, m } = model(['/work/a', '/work/b']);
    server.overviews['/work/a'] = makeOverview({ repository: '/root-a' });
    server.overviews['/work/b'] = makeOverview({ repository: '/root-b' });
    const [a, b] = await m.children();
    await m.children(a);
    await m.children(b);
    await m.children(await child(m, a, 'rf'));
    const changes: (string | undefined)[] = [];
    m.onDidChange((r) => changes.push(r));
    const count = (c: string) => server.calls.filter((x) => x.command === c).length;
    assert.equal(count('registry'), 2);
    await m.children(a); // cached: no request
    assert.equal(count('registry'), 2);
    m.refresh('/root-a');
    assert.deepEqual(changes, ['/work/a']);
    await m.children(a);
    await m.children(b);
    assert.equal(count('registry'), 3, 'only the changed repository is read again');
    await m.children(await child(m, a, 'rf'));
    assert.equal(count('artifactVersions'), 2, "the changed repository's versions are read again");
    m.refresh('/elsewhere');
    assert.deepEqual(changes, ['/work/a', undefined], 'an unknown root refreshes all');
  });
});

describe('Registry view: compare and documents', () => {
  it("compare: the older version left, each document the version's details text, titled name vA ↔ vB", async () => {
    const { server, m } = model();
    const rf = await child(m, undefined, 'rf');
    const [v130, v120] = (await m.children(rf)) as VersionNode[];
    const prompter = new ScriptedPrompter([label('v1.2.0')]);
    const other = await pickOtherVersion(prompter, 'rf', v130!.version, v130!.siblings);
    assert.deepEqual(((prompter.shown[0]!.raw as { items: { label: string }[] }).items).map((i) => i.label), ['v1.2.0', 'v1.1.0']);
    assert.equal(other, v120!.version);
    const c = comparison('/repo', 'rf', v130!.version, other!, v130!.siblings);
    assert.equal(c.title, 'rf v1.2.0 ↔ v1.3.0');
    assert.equal(c.left.scheme, 'gto-registry');
    assert.equal(c.left.path, '/rf/v1.2.0.yaml');
    assert.equal(c.right.path, '/rf/v1.3.0.yaml');
    assert.equal(await documentText(server, c.left), 'version: v1.2.0\ntype: model\n');
    assert.equal(await documentText(server, c.right), 'version: v1.3.0\ntype: model\n');
    assert.deepEqual(server.calls.at(-1)!.arg, { repository: '/repo', name: 'rf', version: 'v1.3.0' });
  });

  it('a file at a commit; refusals become the text, saying why', async () => {
    const { server } = model();
    const uri = gitFileUri({ repository: '/repo', commit: 'c1'.padEnd(40, '0'), path: 'models/rf.pkl' });
    assert.equal(uri.path, '/c100000/models/rf.pkl');
    assert.equal(await documentText(server, uri), `models/rf.pkl at ${'c1'.padEnd(40, '0')}\n`);
    server.gitFileResult = () => ({ ok: false, message: 'models/rf.pkl is larger than 5 MB', text: '' });
    assert.equal(await documentText(server, uri), '# models/rf.pkl at c100000: models/rf.pkl is larger than 5 MB\n');
    assert.match(await documentText(server, { scheme: 'gto-git', query: 'nonsense' }), /not one the GTO view made/);
    assert.equal(versionUri({ repository: '/r', name: 'sub/dir:clf', version: 'v1' }).path, '/sub_dir_clf/v1.yaml');
  });
});

describe('Registry view: history page and times', () => {
  it('a real table, newest first as given, escaped, with a nonce CSP and no remote resource', () => {
    const html = historyHtml(
      [
        { timestamp: '2026-01-08T10:00:00+00:00', artifact: 'churn', event: 'assignment', priority: 5, version: 'v0.1.0', stage: 'prod', commit: 'a'.repeat(40), author: 'Demo <User>', author_email: 'd@e', message: 'Assigning <b>', ref: 'churn#prod#2' },
        { timestamp: '2026-01-06T10:00:00+00:00', artifact: 'churn', event: 'registration', priority: 3, version: 'v0.1.0', stage: null, commit: 'a'.repeat(40), author: 'Demo', author_email: null, message: null, ref: 'churn@v0.1.0' },
      ],
      { nonce: 'N0nce', cspSource: 'vscode-webview:', title: 'History of churn', withArtifact: false, nowMs: Date.parse('2026-01-10T10:00:00Z') },
    );
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-N0nce'; script-src 'nonce-N0nce';/);
    assert.doesNotMatch(html, /https?:\/\//);
    assert.match(html, /<script nonce="N0nce">/);
    assert.equal((html.match(/<tr data-index=/g) ?? []).length, 2);
    assert.match(html, /<tr data-index="0" tabindex="0"><td title="2026-01-08 10:00:00 UTC">2 days ago<\/td><td class="event assignment">assigned<\/td><td>v0.1.0<\/td><td>prod<\/td>/);
    assert.match(html, /Demo &lt;User&gt;/);
    assert.match(html, /Assigning &lt;b&gt;/);
    assert.doesNotMatch(html, /<th scope="col">Artifact<\/th>/);
  });

  it('relative and absolute times', () => {
    assert.equal(relativeTime(T, (T + 59) * 1000), 'just now');
    assert.equal(relativeTime(T, (T + 3600) * 1000), '1 hour ago');
    assert.equal(relativeTime(T, (T + 40 * 86400) * 1000), '1 month ago');
    assert.equal(relativeTime(T + 7200, T * 1000), 'in 2 hours');
    assert.equal(absoluteTime(T), '2026-01-05 10:00:00 UTC');
  });
});


