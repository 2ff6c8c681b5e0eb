// UI-level test: code-server 4.100.3 with the .vsix installed, driven by headless Chromium (playwright-core)
// like a person: open artifacts.yaml, show the Problems panel, run "GTO: Annotate Artifact..." from the
// command palette and answer its prompts with the keyboard. Screenshots go to test-output/screenshots/.
'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const lib = require('./lib');

const MOD = 'Control';

/**
 * @param {object} o
 * @param {string} o.codeServer  folder holding node_modules/code-server
 * @param {string} o.vsix
 * @param {string} o.workspace
 * @param {string} o.outDir      logs
 * @param {string} o.shotsDir    screenshots
 * @param {(msg: string) => void} o.log
 */
async function runUi(o) {
  const s = lib.scratch('gto-ui-');
  const entry = path.join(o.codeServer, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const csData = path.join(s.dir, 'csdata');
  const common = [
    '--config', path.join(csData, 'config.yaml'),
    '--user-data-dir', path.join(csData, 'user'),
    '--extensions-dir', path.join(csData, 'ext'),
  ];
  fs.mkdirSync(csData, { recursive: true });
  fs.writeFileSync(path.join(csData, 'config.yaml'), 'auth: none\ncert: false\n');
  lib.writeJson(path.join(csData, 'user', 'User', 'settings.json'), {
    ...lib.USER_SETTINGS,
    'workbench.colorTheme': 'Default Dark Modern',
    'editor.minimap.enabled': false,
    'window.commandCenter': false,
    'workbench.layoutControl.enabled': false,
    'gto.trace.server': 'verbose',
  });
  const env = { ...process.env, ...s.xdg, HOME: s.dir };
  delete env.PYTHONPATH;
  const { execFileSync } = require('child_process');
  execFileSync(process.execPath, [entry, ...common, '--install-extension', o.vsix], { env, stdio: 'pipe' });

  const port = await lib.freePort();
  const logFile = path.join(o.outDir, 'ui-code-server.log');
  const server = lib.startGroup(
    process.execPath,
    [
      entry,
      ...common,
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      o.workspace,
    ],
    { env, logFile },
  );
  let context;
  let shot = 0;
  const shots = [];
  try {
    await lib.waitForHttp(`http://127.0.0.1:${port}/healthz`, 30000);
    context = await lib.launchBrowser(path.join(s.dir, 'chromium'), s.xdg, { width: 1280, height: 800 });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(20000);
    const snap = async (name) => {
      const file = path.join(o.shotsDir, `${String(++shot).padStart(2, '0')}-${name}.png`);
      await page.screenshot({ path: file });
      shots.push(file);
      o.log(`screenshot ${path.relative(process.cwd(), file)}`);
      return file;
    };
    const quickInput = page.locator('.quick-input-widget');
    const quickInputText = () => quickInput.innerText();
    const waitQuickInput = async (pattern) => {
      await quickInput.waitFor({ state: 'visible' });
      await page.waitForFunction(
        (re) => {
          const el = document.querySelector('.quick-input-widget');
          return el && new RegExp(re).test(el.innerText);
        },
        pattern.source,
        { timeout: 20000 },
      );
    };

    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(o.workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60000 });
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout: 30000 });

    // Open artifacts.yaml with Quick Open.
    await page.keyboard.press(`${MOD}+P`);
    await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
    await page.keyboard.type('artifacts.yaml', { delay: 20 });
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'artifacts.yaml' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: 'artifacts.yaml' }).waitFor();

    // Problems panel with the server's diagnostics.
    await page.keyboard.press(`${MOD}+Shift+M`);
    const rows = page.locator('.markers-panel .monaco-list-row');
    await page.waitForFunction(() => document.querySelectorAll('.markers-panel .monaco-list-row').length >= 4, null, { timeout: 40000 });
    const problems = await page.locator('.markers-panel').innerText();
    o.log(`Problems panel (${await rows.count()} rows):\n${problems}`);
    assert.match(problems, /artifacts\.yaml/);
    assert.match(problems, /descripton/);
    await snap('problems');

    // Quick fix from the editor: go to the unknown field's problem, Ctrl+. and take the rename.
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'Unknown field `descripton`' }).first().click();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.closest('.editor-instance') !== null);
    await page.keyboard.press(`${MOD}+.`);
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Rename to `description`' }).first();
    await fix.waitFor({ state: 'visible' });
    await snap('quick-fix');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !/descripton/.test(document.querySelector('.editor-instance .view-lines')?.textContent ?? ''));
    await page.waitForFunction(() => !/descripton/.test(document.querySelector('.markers-panel')?.textContent ?? ''), null, { timeout: 20000 });

    // GTO: Annotate Artifact... from the command palette.
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
    await page.keyboard.type('GTO: Annotate Artifact', { delay: 20 });
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'GTO: Annotate Artifact...' }).first().waitFor();
    await snap('palette');
    await page.keyboard.press('Enter');

    await waitQuickInput(/Annotate Artifact \(1\//);
    await page.keyboard.type('rf', { delay: 30 });
    await snap('name');
    await page.keyboard.press('Enter');

    await waitQuickInput(/Annotate Artifact \(2\//);
    assert.match(await quickInputText(), /model/);
    await page.keyboard.type('model', { delay: 30 });
    await page.keyboard.press('Enter');

    await waitQuickInput(/Annotate Artifact \(3\//);
    assert.match(await quickInputText(), /models\/churn\.pkl/);
    const pathShot = await snap('path');
    await page.keyboard.type('models/rf', { delay: 30 });
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'models/rf.pkl' }).first().waitFor();
    await snap('path-typed');
    await page.keyboard.press('Enter');

    await waitQuickInput(/Annotate Artifact \(4\//);
    await page.keyboard.type('tabular', { delay: 30 });
    await page.keyboard.press('Enter');

    await waitQuickInput(/Annotate Artifact \(5\//);
    await page.keyboard.type('Random forest', { delay: 20 });
    await page.keyboard.press('Enter');

    await waitQuickInput(/Annotate Artifact \(6\//);
    await snap('must-exist');
    await page.keyboard.press('Enter');

    await waitQuickInput(/Annotate Artifact \(7\//);
    assert.match(await quickInputText(), /Annotate and commit/);
    await snap('follow-up');
    await page.keyboard.press('Enter');

    const note = page.locator('.notification-list-item-message', { hasText: 'Annotated rf' });
    await note.first().waitFor({ state: 'visible', timeout: 20000 });
    // The new entry is at the end of the file: show it.
    await page.locator('.editor-instance .view-lines').first().click();
    await page.keyboard.press(`${MOD}+End`);
    await page.waitForFunction(() => /rf:/.test(document.querySelector('.editor-instance .view-lines')?.textContent ?? ''));
    const editorText = await page.locator('.editor-instance .view-lines').first().innerText();
    assert.match(editorText.replace(/\u00a0/g, ' '), /rf:/);
    assert.match(await page.locator('.tabs-container .tab.active').innerText(), /artifacts\.yaml/);
    await snap('annotated');
    return { shots, readmeShot: pathShot };
  } catch (err) {
    const page = context?.pages()[0];
    if (page) {
      const file = path.join(o.shotsDir, `${String(++shot).padStart(2, '0')}-failure.png`);
      await page.screenshot({ path: file }).catch(() => undefined);
      o.log(`failure screenshot ${file}`);
    }
    throw err;
  } finally {
    await context?.close().catch(() => undefined);
    await server.stop();
    const logsDir = path.join(csData, 'user', 'logs');
    if (fs.existsSync(logsDir)) {
      const dest = path.join(o.outDir, 'ui-logs');
      fs.rmSync(dest, { recursive: true, force: true });
      fs.cpSync(logsDir, dest, { recursive: true });
    }
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
}

module.exports = { runUi };
