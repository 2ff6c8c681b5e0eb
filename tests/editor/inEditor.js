// Runs an in-editor test suite in the real extension host: the VS Code server inside the code-server
// package with --enable-smoke-test-driver, opened by headless Chromium with a `payload` naming the
// extension (extensionDevelopmentPath) and the suite (extensionTestsPath). The suite's run() settles ->
// the workbench calls window.codeAutomationExit(code).
'use strict';
const fs = require('fs');
const path = require('path');
const lib = require('./lib');

/**
 * @param {object} o
 * @param {string} o.codeServer   folder holding node_modules/code-server
 * @param {string} o.extensionPath the extension folder (the .vsix installed into an extensions dir)
 * @param {string} o.extensionsDir that extensions dir
 * @param {string} o.testsPath    the suite's index.js
 * @param {string} o.workspace    folder to open
 * @param {boolean} o.trusted     false: workspace trust is on and the folder is not trusted (Restricted Mode)
 * @param {object} o.settings     extra settings
 * @param {string} o.outDir       logs and screenshots
 * @param {string} o.name
 * @param {(line: string) => void} [o.onLog]
 * @param {number} [o.timeoutMs]
 */
async function runInEditor(o) {
  const s = lib.scratch(`gto-ineditor-${o.name}-`);
  const port = await lib.freePort();
  const serverData = path.join(s.dir, 'server-data');
  const userData = path.join(s.dir, 'user-data');
  const settings = {
    ...lib.USER_SETTINGS,
    'security.workspace.trust.enabled': true,
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.emptyWindow': false,
    ...o.settings,
  };
  lib.writeJson(path.join(userData, 'Machine', 'settings.json'), settings);
  lib.writeJson(path.join(userData, 'User', 'settings.json'), settings);
  const args = [
    path.join(o.codeServer, 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js'),
    '--host', '127.0.0.1',
    '--port', String(port),
    '--without-connection-token',
    '--accept-server-license-terms',
    '--enable-smoke-test-driver',
    '--disable-telemetry',
    '--user-data-dir', userData,
    '--server-data-dir', serverData,
    '--extensions-dir', o.extensionsDir,
  ];
  if (o.trusted) args.push('--disable-workspace-trust');
  const logFile = path.join(o.outDir, `${o.name}-server.log`);
  const env = { ...process.env, ...s.xdg, GTO_EDITOR_TEST: o.name, HOME: s.dir };
  delete env.PYTHONPATH;
  const server = lib.startGroup(process.execPath, args, { env, logFile });
  let context;
  const logs = [];
  try {
    await lib.waitForHttp(`http://127.0.0.1:${port}/version`, 30000);
    context = await lib.launchBrowser(path.join(s.dir, 'chromium'), s.xdg);
    const page = context.pages()[0] ?? (await context.newPage());
    let exit;
    const exited = new Promise((resolve) => (exit = resolve));
    await page.exposeFunction('codeAutomationExit', (code) => exit(code));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = (Array.isArray(args) ? args : [args]).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
      logs.push(line);
      o.onLog?.(line);
    });
    const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(o.extensionPath)],
      ['extensionTestsPath', remote(o.testsPath)],
    ];
    const url =
      `http://127.0.0.1:${port}/?folder=${encodeURIComponent(o.workspace)}` +
      `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await page.goto(url);
    const timeoutMs = o.timeoutMs ?? 120000;
    let timer;
    const code = await Promise.race([
      exited,
      new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
    ]);
    clearTimeout(timer);
    try {
      await page.screenshot({ path: path.join(o.outDir, `${o.name}-end.png`) });
    } catch {
      // the page may be gone after the exit
    }
    return { code, logs, logFile };
  } finally {
    await context?.close().catch(() => undefined);
    await server.stop();
    // Keep the editor's logs (the extension's "GTO Artifacts" output among them) for the record.
    const logsDir = path.join(userData, 'logs');
    if (fs.existsSync(logsDir)) {
      const dest = path.join(o.outDir, `${o.name}-logs`);
      fs.rmSync(dest, { recursive: true, force: true });
      fs.cpSync(logsDir, dest, { recursive: true });
    }
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
}

module.exports = { runInEditor };
