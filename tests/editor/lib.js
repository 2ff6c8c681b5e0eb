// Helpers for the real-editor tests: scratch folders, processes in their own process group (setsid via
// `detached`) that are always killed as a group, free ports, health checks, the headless browser.
'use strict';
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const REPO = path.resolve(__dirname, '..', '..');
const groups = new Set();

function killGroup(pid, signal = 'SIGTERM') {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Kills every process group started here (TERM, then KILL what is left). */
async function killAll() {
  const pids = [...groups];
  groups.clear();
  for (const pid of pids) killGroup(pid, 'SIGTERM');
  if (pids.length) await sleep(500);
  for (const pid of pids) killGroup(pid, 'SIGKILL');
}
process.on('exit', () => {
  for (const pid of groups) killGroup(pid, 'SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const pid of groups) killGroup(pid, 'SIGKILL');
    process.exit(130);
  });
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Starts `cmd args` in a new session/process group; output goes to `logFile`. */
function startGroup(cmd, args, { env, cwd, logFile }) {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, { env, cwd, detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  groups.add(child.pid);
  child.on('exit', () => groups.delete(child.pid));
  return {
    pid: child.pid,
    child,
    async stop() {
      groups.delete(child.pid);
      killGroup(child.pid, 'SIGTERM');
      await sleep(400);
      killGroup(child.pid, 'SIGKILL');
    },
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url, timeoutMs = 30000) {
  const start = Date.now();
  let last;
  while (Date.now() - start < timeoutMs) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err.message;
    }
    await sleep(200);
  }
  throw new Error(`${url} did not answer in ${timeoutMs} ms (${last})`);
}

/** A scratch folder with the XDG folders the editors and the browser write into. */
function scratch(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const xdg = {
    XDG_CONFIG_HOME: path.join(dir, 'xdg', 'config'),
    XDG_DATA_HOME: path.join(dir, 'xdg', 'data'),
    XDG_CACHE_HOME: path.join(dir, 'xdg', 'cache'),
    XDG_STATE_HOME: path.join(dir, 'xdg', 'state'),
  };
  for (const d of Object.values(xdg)) fs.mkdirSync(d, { recursive: true });
  return { dir, xdg };
}

/** Builds the demo git repository (scripts/demo-repo.sh) in `dest`; returns its path. */
function makeDemoRepo(dest) {
  execFileSync('bash', [path.join(REPO, 'scripts', 'demo-repo.sh'), dest], { stdio: ['ignore', 'pipe', 'inherit'] });
  return dest;
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function launchBrowser(profileDir, xdg, viewport = { width: 1400, height: 900 }) {
  const { chromium } = require('playwright-core');
  return chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    env: { ...process.env, ...xdg },
    viewport,
  });
}

const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'files.autoSave': 'off',
  'window.restoreWindows': 'none',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

function writeJson(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
}

module.exports = {
  REPO,
  CHROMIUM_ARGS,
  USER_SETTINGS,
  freePort,
  killAll,
  launchBrowser,
  makeDemoRepo,
  scratch,
  sleep,
  startGroup,
  waitForHttp,
  writeJson,
};
