// The real-editor tests, under node's test runner. Needs: `npm ci` done, code-server installed
// (scripts/code-server.sh, which tests/editor/run.sh calls) and the .vsix built (GTO_VSIX, or
// gto-artifacts-<version>.vsix at the repo root). Every editor and browser gets scratch folders and runs
// in its own process group, killed at the end.
'use strict';
const assert = require('assert');
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { after, before, describe, it } = require('node:test');
const lib = require('./lib');
const { runInEditor } = require('./inEditor');
const { runUi } = require('./ui');

const REPO = lib.REPO;
const version = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version;
const VSIX = process.env.GTO_VSIX || path.join(REPO, `gto-artifacts-${version}.vsix`);
const CODE_SERVER = process.env.GTO_CODE_SERVER || path.join(process.env.GTO_CACHE || path.join(REPO, '.cache'), 'code-server');
const OUT = path.join(REPO, 'test-output', 'editor');
const SHOTS = path.join(REPO, 'test-output', 'screenshots');

let work;
let extensionsDir;
let extensionPath;

/** The demo repository plus what the tests need: a committed models/rf.pkl and an untracked file. */
function workspace(name) {
  const dir = path.join(work, name, 'demo');
  lib.makeDemoRepo(dir);
  const git = (...args) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  fs.writeFileSync(path.join(dir, 'models', 'rf.pkl'), 'not really a pickle\n');
  git('add', 'models/rf.pkl');
  git('commit', '-q', '-m', 'Add the random forest model');
  // An upstream to push to.
  const remote = path.join(path.dirname(dir), 'remote.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote], { stdio: 'pipe' });
  git('remote', 'add', 'origin', remote);
  git('push', '-q', '-u', 'origin', 'main');
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'untracked notes\n');
  return dir;
}

before(() => {
  assert.ok(fs.existsSync(VSIX), `${VSIX} exists (build it with npm run package)`);
  assert.ok(
    fs.existsSync(path.join(CODE_SERVER, 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js')),
    `code-server is installed in ${CODE_SERVER} (scripts/code-server.sh)`,
  );
  fs.mkdirSync(OUT, { recursive: true });
  fs.rmSync(SHOTS, { recursive: true, force: true });
  fs.mkdirSync(SHOTS, { recursive: true });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'gto-editor-tests-'));
  extensionsDir = path.join(work, 'extensions');
  const xdg = lib.scratch('gto-install-');
  execFileSync(
    process.execPath,
    [
      path.join(CODE_SERVER, 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js'),
      '--accept-server-license-terms',
      '--user-data-dir', path.join(xdg.dir, 'user'),
      '--server-data-dir', path.join(xdg.dir, 'server'),
      '--extensions-dir', extensionsDir,
      '--install-extension', VSIX,
    ],
    { env: { ...process.env, ...xdg.xdg, HOME: xdg.dir }, stdio: 'pipe' },
  );
  fs.rmSync(xdg.dir, { recursive: true, force: true });
  const installed = fs.readdirSync(extensionsDir).find((d) => d.startsWith('gto-lsp.gto-artifacts-'));
  assert.ok(installed, 'the .vsix installed');
  extensionPath = path.join(extensionsDir, installed);
});

after(async () => {
  await lib.killAll();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

async function inEditorSuite(t, name, trusted) {
  const results = [];
  const r = await runInEditor({
    codeServer: CODE_SERVER,
    extensionPath,
    extensionsDir,
    testsPath: path.join(__dirname, 'suite', 'index.js'),
    workspace: workspace(name),
    trusted,
    settings: {},
    outDir: OUT,
    // A bound on a hung editor, not a speed target: the trusted suite alone takes about two minutes.
    timeoutMs: 300000,
    name,
    onLog: (line) => {
      if (line.startsWith('GTO_TEST ')) {
        results.push(JSON.parse(line.slice('GTO_TEST '.length)));
      } else if (!/Service Worker|rejected promise not handled|stack trace:|^\s+at /.test(line)) {
        t.diagnostic(line);
      }
    },
  });
  fs.writeFileSync(path.join(OUT, `${name}-host.log`), r.logs.join('\n'));
  for (const res of results) {
    await t.test(res.name, () => {
      if (!res.ok) throw new Error(res.error);
    });
  }
  assert.ok(results.length > 0, `the suite reported results (exit ${r.code}; see ${r.logFile})`);
  assert.strictEqual(r.code, 0, `the extension host suite exited with ${r.code}`);
}

describe('in the extension host (VS Code 1.100 server, .vsix installed)', { concurrency: false }, () => {
  it('trusted workspace', { timeout: 360000 }, (t) => inEditorSuite(t, 'trusted', true));
  it('Restricted Mode', { timeout: 180000 }, (t) => inEditorSuite(t, 'restricted', false));
});

describe('in the browser (code-server 4.100.3 + headless Chromium)', () => {
  it('Problems panel, GTO: Annotate Artifact... from the palette, dvc.yaml with its quick fix, its pipeline with a problem and a hover, the Registry view', { timeout: 240000 }, async (t) => {
    const r = await runUi({
      codeServer: CODE_SERVER,
      vsix: VSIX,
      workspace: workspace('ui'),
      outDir: OUT,
      shotsDir: SHOTS,
      log: (m) => t.diagnostic(m),
    });
    assert.ok(r.shots.length >= 6);
    if (process.env.GTO_UPDATE_SCREENSHOT === '1') {
      fs.copyFileSync(r.readmeShot, path.join(REPO, 'images', 'screenshot.png'));
      fs.copyFileSync(r.dvcShot, path.join(REPO, 'images', 'dvc-yaml.png'));
      fs.copyFileSync(r.pipelineShot, path.join(REPO, 'images', 'dvc-pipeline.png'));
      fs.copyFileSync(r.registryShot, path.join(REPO, 'images', 'registry-view.png'));
      t.diagnostic(
        `copied ${r.readmeShot} to images/screenshot.png, ${r.dvcShot} to images/dvc-yaml.png, ${r.pipelineShot} to images/dvc-pipeline.png, ${r.registryShot} to images/registry-view.png`,
      );
    }
  });
});
