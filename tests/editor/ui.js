// UI-level test: code-server 4.100.3 with the .vsix installed, driven by headless Chromium (playwright-core)
// like a person: open artifacts.yaml, show the Problems panel, run "GTO: Annotate Artifact..." from the
// command palette and answer its prompts with the keyboard; then dvc.yaml: its artifacts, and its pipeline (a typo'd
// stage key, the hover of a `${}`); then the Registry view and its history panel. Screenshots go to
// test-output/screenshots/.
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
    /** Opens a file of the workspace with Quick Open (Ctrl+P) and waits for its tab. */
    const quickOpen = async (file) => {
      await page.keyboard.press(`${MOD}+P`);
      await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
      await page.keyboard.type(file, { delay: 20 });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: file }).first().waitFor();
      await page.keyboard.press('Enter');
      await page.locator('.tabs-container .tab.active', { hasText: file }).waitFor();
    };
    /** Moves the cursor with Quick Open's `:line:column` and gives the editor the focus. */
    const goToLine = async (line, column) => {
      await page.keyboard.press(`${MOD}+P`);
      await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
      await page.keyboard.type(`:${line}:${column}`, { delay: 20 });
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.activeElement?.closest('.editor-instance') !== null);
    };
    /** Runs a command from the palette (F1) by its full title. */
    const palette = async (title) => {
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
      await page.keyboard.type(title, { delay: 10 });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
      await page.keyboard.press('Enter');
    };
    const clearNotifications = () => palette('Notifications: Clear All Notifications');
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

    await quickOpen('artifacts.yaml');

    // Problems panel with the server's diagnostics.
    await page.keyboard.press(`${MOD}+Shift+M`);
    const rows = page.locator('.markers-panel .monaco-list-row');
    await page.waitForFunction(() => document.querySelectorAll('.markers-panel .monaco-list-row').length >= 4, null, { timeout: 40000 });
    // The list is complete (dvc.yaml's problem comes last) before a row is clicked: a late file moves the rows.
    await page.waitForFunction(() => /customer\.features/.test(document.querySelector('.markers-panel')?.textContent ?? ''), null, { timeout: 40000 });
    const problems = await page.locator('.markers-panel').innerText();
    o.log(`Problems panel (${await rows.count()} rows):\n${problems}`);
    assert.match(problems, /artifacts\.yaml/);
    assert.match(problems, /descripton/);
    await snap('problems');

    // Quick fix from the editor: go to the unknown field's problem, Ctrl+. and take the rename.
    const unknownRow = { hasText: 'Unknown field `descripton`' };
    // A row that moved under the pointer as the list re-rendered gets the click: click again until ours is selected.
    for (let attempt = 1; ; attempt++) {
      await page.locator('.markers-panel .monaco-list-row', unknownRow).first().click();
      if (await page.locator('.markers-panel .monaco-list-row.selected', unknownRow).count()) break;
      assert.ok(attempt < 5, 'the unknown field row of the Problems panel is selected by a click');
    }
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

    // Step 1: which file. The demo annotates mostly in artifacts.yaml, so the server proposes it; dvc.yaml is next.
    await waitQuickInput(/Annotate Artifact \(1\//);
    assert.match(await quickInputText(), /artifacts\.yaml[\s\S]*dvc\.yaml/);
    await snap('file');
    await page.keyboard.press('Enter');

    await waitQuickInput(/Annotate Artifact \(2\//);
    await page.keyboard.type('rf', { delay: 30 });
    await snap('name');
    await page.keyboard.press('Enter');

    await waitQuickInput(/Annotate Artifact \(3\//);
    assert.match(await quickInputText(), /model/);
    await page.keyboard.type('model', { delay: 30 });
    await page.keyboard.press('Enter');

    await waitQuickInput(/Annotate Artifact \(4\//);
    assert.match(await quickInputText(), /models\/churn\.pkl/);
    const pathShot = await snap('path');
    await page.keyboard.type('models/rf', { delay: 30 });
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'models/rf.pkl' }).first().waitFor();
    await snap('path-typed');
    await page.keyboard.press('Enter');

    await waitQuickInput(/Annotate Artifact \(5\//);
    await page.keyboard.type('tabular', { delay: 30 });
    await page.keyboard.press('Enter');

    await waitQuickInput(/Annotate Artifact \(6\//);
    await page.keyboard.type('Random forest', { delay: 20 });
    await page.keyboard.press('Enter');

    await waitQuickInput(/Annotate Artifact \(7\//);
    await snap('must-exist');
    await page.keyboard.press('Enter');

    await waitQuickInput(/Annotate Artifact \(8\//);
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

    // dvc.yaml (stays YAML; the server gets it by name): its problem in the Problems panel and the quick fix.
    // A taller window, and no notification over the Problems panel, for the README's picture.
    await clearNotifications();
    await page.setViewportSize({ width: 1280, height: 1000 });
    await quickOpen('dvc.yaml');
    // To the invalid name with Quick Open's :line:column (the Problems list may have scrolled it out of view).
    const dvcLines = fs.readFileSync(path.join(o.workspace, 'dvc.yaml'), 'utf8').split('\n');
    const nameLine = dvcLines.findIndex((l) => l.startsWith('  customer.features:')) + 1;
    assert.ok(nameLine > 0, 'the demo dvc.yaml has the customer.features entry');
    await goToLine(nameLine, 5);
    // Scroll the view (not the cursor) up so the stages above artifacts: show too.
    for (let i = 0; i < 10; i++) await page.keyboard.press(`${MOD}+ArrowUp`);
    // The server's warning reaches the editor (a squiggle under the name) and the Problems panel.
    await page.locator('.editor-instance .squiggly-warning').first().waitFor({ state: 'attached', timeout: 40000 });
    await page.waitForFunction(() => /customer\.features/.test(document.querySelector('.markers-panel')?.textContent ?? ''));
    o.log(`Problems panel with dvc.yaml:\n${await page.locator('.markers-panel').innerText()}`);
    await page.keyboard.press(`${MOD}+.`);
    const dvcFix = page.locator('.action-widget .monaco-list-row', { hasText: /customer-features/ }).first();
    await dvcFix.waitFor({ state: 'visible' });
    await snap('dvc-yaml-invalid-name');
    await page.keyboard.press('Escape');

    // The usual mistake when an artifacts.yaml entry is copied over: GTO's `description` for DVC's `desc`. Typed
    // into the buffer (not saved): DVC would refuse the whole file; the fix renames it.
    const descLine = dvcLines.findIndex((l, i) => i > nameLine - 1 && l.startsWith('    desc:')) + 1;
    assert.ok(descLine > nameLine, 'the entry has a desc line');
    await goToLine(descLine, 5);
    for (let i = 0; i < 6; i++) await page.keyboard.press(`${MOD}+ArrowUp`);
    await page.keyboard.press(`${MOD}+Shift+ArrowRight`);
    await page.keyboard.type('description', { delay: 20 });
    await page.locator('.editor-instance .squiggly-error').first().waitFor({ state: 'attached', timeout: 20000 });
    await page.waitForFunction(() => /`description` is not a field/.test(document.querySelector('.markers-panel')?.textContent ?? ''));
    await page.keyboard.press(`${MOD}+.`);
    const descFix = page.locator('.action-widget .monaco-list-row', { hasText: /`desc`/ }).first();
    await descFix.waitFor({ state: 'visible' });
    const dvcShot = await snap('dvc-yaml-quick-fix');
    await page.keyboard.press('Escape');

    // GTO: Move Annotations to dvc.yaml from the palette. While dvc.yaml holds an error DVC refuses, the move is
    // refused, saying why; once fixed, it first says what moves and what is dropped, then moves, as one unsaved
    // edit of both open files.
    const runMove = () => palette('GTO: Move Annotations to dvc.yaml');
    await runMove();
    const refused = page.locator('.notification-list-item', { hasText: 'fix it first' }).first();
    await refused.waitFor({ state: 'visible', timeout: 30000 });
    await snap('move-refused');
    await refused.locator('.codicon-notifications-clear').first().click().catch(() => undefined);
    await goToLine(descLine, 6);
    await page.keyboard.press(`${MOD}+.`);
    await descFix.waitFor({ state: 'visible' });
    assert.match((await descFix.getAttribute('class')) ?? '', /focused/, 'the rename to `desc` is the preferred fix');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !/`description` is not a field/.test(document.querySelector('.markers-panel')?.textContent ?? ''), null, { timeout: 20000 });
    await runMove();
    const summary = page.locator('.monaco-dialog-box', { hasText: 'Move them?' }).first();
    await summary.waitFor({ state: 'visible', timeout: 30000 });
    const summaryText = await summary.innerText();
    o.log(`move summary: ${summaryText}`);
    assert.match(summaryText, /Moves \d+ artifacts? to dvc\.yaml/);
    await snap('move-summary');
    await summary.locator('.monaco-button', { hasText: /^Move$/ }).first().click();
    await page.locator('.notification-list-item-message', { hasText: 'Undo reverts it' }).first().waitFor({ state: 'visible', timeout: 30000 });
    await quickOpen('dvc.yaml');
    await page.keyboard.press(`${MOD}+End`);
    await page.waitForFunction(() => /rf:/.test(document.querySelector('.editor-instance .view-lines')?.textContent ?? ''));
    await snap('moved');

    // dvc.yaml's pipeline: a typo'd stage key (DVC would refuse the whole file) squiggled in the editor and listed in
    // the Problems panel, with the hover of a `${}` showing its value from params.yaml. The README's picture.
    await clearNotifications();
    await quickOpen('dvc.yaml');
    const trainLine = dvcLines.findIndex((l) => l.startsWith('  train:')) + 1;
    const depsLine = dvcLines.findIndex((l, i) => i >= trainLine && l.startsWith('    deps:')) + 1;
    assert.ok(trainLine > 0 && depsLine > trainLine, 'the demo dvc.yaml has a train stage with deps');
    await goToLine(depsLine, 5);
    await page.keyboard.type('frozn: true', { delay: 20 });
    await page.keyboard.press('Escape'); // no suggestion taken by the Enter below
    await page.keyboard.press('Enter');
    await page.locator('.editor-instance .squiggly-error').first().waitFor({ state: 'attached', timeout: 20000 });
    await page.waitForFunction(() => /no key `frozn`/.test(document.querySelector('.markers-panel')?.textContent ?? ''), null, { timeout: 20000 });
    const pipelineProblems = await page.locator('.markers-panel').innerText();
    o.log(`Problems panel with the typo in dvc.yaml:\n${pipelineProblems}`);
    assert.match(pipelineProblems, /A stage has no key `frozn`: DVC refuses this dvc\.yaml\. Did you mean `frozen`\?/);
    const epochsLine = dvcLines.findIndex((l) => l.includes('${train.epochs}')) + 1;
    await goToLine(epochsLine, dvcLines[epochsLine - 1].indexOf('${train.epochs}') + 10);
    await page.keyboard.press(`${MOD}+K`);
    await page.keyboard.press(`${MOD}+I`);
    const hover = page.locator('.monaco-hover', { hasText: 'Defined in params.yaml' }).first();
    await hover.waitFor({ state: 'visible', timeout: 20000 });
    // The hover fades in: the picture waits until it is drawn in full.
    await page.waitForFunction(() => {
      const el = [...document.querySelectorAll('.monaco-hover')].find((h) => /Defined in params\.yaml/.test(h.textContent ?? ''));
      for (let e = el; e; e = e.parentElement) if (getComputedStyle(e).opacity !== '1') return false;
      return Boolean(el);
    });
    const hoverText = (await hover.innerText()).replace(/\u00a0/g, ' ');
    o.log(`hover on \${train.epochs}: ${hoverText}`);
    assert.match(hoverText, /\$\{train\.epochs\}\s*=\s*10/);
    const pipelineShot = await snap('dvc-pipeline');

    // The Registry view (GTO in the activity bar): churn expanded to its versions, v0.1.0 to its tag events, and
    // the repository's history in the editor area. The README's picture.
    await page.keyboard.press('Escape');
    await clearNotifications();
    await palette('View: Toggle Panel Visibility');
    await page.locator('.activitybar .action-item .action-label[aria-label^="GTO"]').first().click();
    // Rows by depth: an artifact's description names its versions too.
    const registryRow = (text, level = 1) => page.locator(`.pane-body .monaco-list-row[aria-level="${level}"]`, { hasText: text }).first();
    await registryRow('churn').waitFor({ state: 'visible', timeout: 40000 });
    // A wider side bar (its edge dragged), so the descriptions (type · latest · stages) show in full.
    const bar = await page.locator('.part.sidebar').boundingBox();
    if (bar) {
      const y = bar.y + bar.height / 2;
      await page.mouse.move(bar.x + bar.width + 1, y);
      await page.mouse.down();
      await page.mouse.move(bar.x + bar.width + 60, y, { steps: 8 });
      await page.mouse.up();
    }
    await registryRow('churn').click();
    await page.keyboard.press('ArrowRight');
    await registryRow('v0.1.0', 2).waitFor({ state: 'visible', timeout: 20000 });
    await registryRow('v0.1.0', 2).click();
    await page.keyboard.press('ArrowRight');
    await registryRow('assigned staging', 3).waitFor({ state: 'visible', timeout: 20000 });
    const viewText = await page.locator('.pane-body').first().innerText();
    o.log(`Registry view:\n${viewText}`);
    assert.match(viewText, /churn[\s\S]*model · v0\.1\.0 · prod, staging/);
    assert.match(viewText, /segments[\s\S]*tags only/);
    await palette('GTO: Show Registry History');
    const history = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await history.locator('tbody tr').first().waitFor({ state: 'visible', timeout: 30000 });
    o.log(`history rows: ${await history.locator('tbody tr').count()}`);
    // The version's details as its tooltip (the server's markdown), when the hover shows in time.
    await registryRow('v0.1.0', 2).hover();
    await page
      .locator('.monaco-hover, .workbench-hover', { hasText: 'Demo User' })
      .first()
      .waitFor({ state: 'visible', timeout: 10000 })
      .catch(() => o.log('the version tooltip did not show: the picture goes without it'));
    const registryShot = await snap('registry-view');
    // Enter on a row of the history shows its version in the view: segments' v0.0.1 (the second row).
    await history.locator('tbody tr').nth(0).focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.locator('.pane-body .monaco-list-row[aria-level="2"].selected', { hasText: 'v0.0.1' }).waitFor({ state: 'visible', timeout: 20000 });
    await snap('registry-history-reveal');
    return { shots, readmeShot: pathShot, dvcShot, pipelineShot, registryShot };
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
