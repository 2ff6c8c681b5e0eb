import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { present, problemLines, problemsOf, RegistryModel, type RegistryNode, type RegistryProblem } from '../src/common/registryTree';
import { FakeServer, makeOverview, makeVersions, T } from './fakes';

const NOW = (T + 5 * 86400) * 1000;
const view = (n: RegistryNode) => present(n, NOW);

function problem(over: Partial<RegistryProblem> = {}): RegistryProblem {
  return {
    code: 'version-registered-twice',
    severity: 'error',
    message: 'Version v1.2.0 of `rf` is registered 2 times: `gto show rf` fails.',
    version: 'v1.2.0',
    tags: ['rf@v1.2.0', 'rf@v1.2.0#2'],
    fix: [],
    ...over,
  };
}

/** The fake server's answers with problems on rf (artifact) and on its v1.2.0 (version). */
function model(artifactProblems: RegistryProblem[], versionProblems: RegistryProblem[]) {
  const server = new FakeServer();
  const overview = makeOverview();
  overview.artifacts = overview.artifacts.map((a) => (a.name === 'rf' ? Object.assign({ ...a }, { problems: artifactProblems }) : a));
  server.overview = overview;
  const versions = makeVersions();
  versions.versions = versions.versions.map((v) => (v.version === 'v1.2.0' ? Object.assign({ ...v }, { problems: versionProblems }) : v));
  server.versions = { rf: versions };
  return new RegistryModel(server, () => ['/repo'], () => NOW);
}

async function nodes(m: RegistryModel): Promise<{ rf: RegistryNode; others: RegistryNode[]; versions: RegistryNode[] }> {
  const top = await m.children();
  const rf = top.find((n) => view(n).label === 'rf');
  assert.ok(rf);
  return { rf, others: top.filter((n) => n !== rf), versions: await m.children(rf) };
}

describe('Registry view: registry problems', () => {
  it('an artifact with an error: error icon, a count in the description, the problems first in the tooltip, a flag', async () => {
    const { rf, others } = await nodes(model([problem(), problem({ code: 'stage-on-deprecated', severity: 'warning' })], []));
    const v = view(rf);
    assert.equal(v.icon, 'error');
    assert.equal(v.iconColor, 'problemsErrorIcon.foreground');
    assert.equal(v.description, 'model · v1.3.0 · prod, staging · 2 problems');
    assert.match(v.contextValue, /\bproblem\b/);
    assert.match(v.tooltip, /\*\*Registry problems\*\*\n\n- error `version-registered-twice`: Version v1\.2\.0/);
    assert.match(v.tooltip, /- warning `stage-on-deprecated`/);
    for (const other of others) {
      assert.doesNotMatch(view(other).description, /problem/);
      assert.doesNotMatch(view(other).contextValue, /\bproblem\b/);
    }
  });

  it('warnings only: the warning icon; a note keeps the node as it is, in the tooltip only', async () => {
    const warned = await nodes(model([problem({ severity: 'warning' })], []));
    assert.equal(view(warned.rf).icon, 'warning');
    assert.equal(view(warned.rf).description, 'model · v1.3.0 · prod, staging · 1 problem');
    const informed = await nodes(model([problem({ code: 'artifact-undeclared', severity: 'information', version: null })], []));
    assert.notEqual(view(informed.rf).icon, 'info');
    assert.doesNotMatch(view(informed.rf).description, /problem/);
    assert.match(view(informed.rf).tooltip, /artifact-undeclared/);
  });

  it('a version with a problem is marked; the others are unchanged', async () => {
    const { versions } = await nodes(model([], [problem({ code: 'stage-on-deprecated', severity: 'warning' })]));
    const shown = versions.map(view);
    const v120 = shown.find((v) => v.label === 'v1.2.0');
    const v130 = shown.find((v) => v.label === 'v1.3.0');
    assert.ok(v120 && v130);
    assert.equal(v120.icon, 'warning');
    assert.equal(v120.description, 'prod · 1 problem');
    assert.match(v120.tooltip, /^\*\*Registry problems\*\*/);
    assert.match(v120.contextValue, /\bproblem\b/);
    assert.equal(v130.icon, 'rocket');
    assert.equal(v130.description, 'staging · latest');
  });

  it('answers without the field (an older server) have no problems', () => {
    assert.deepEqual(problemsOf({ name: 'rf' }), []);
    assert.deepEqual(problemsOf({ problems: 'not a list' }), []);
    assert.deepEqual(problemLines([]), []);
  });
});
