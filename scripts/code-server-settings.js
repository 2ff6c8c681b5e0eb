#!/usr/bin/env node
// The user settings of the demo's code-server (scripts/run-editor.sh): adds each default below that
// settings.json does not set yet, keeping every value already there. code-server, as a web VS Code, defaults
// files.autoSave to "afterDelay": every keystroke in artifacts.yaml was saved a second later, so the diagnostics
// of saved files, "unsaved changes" and annotate-then-commit did not behave as in a desktop VS Code.
// Usage: node scripts/code-server-settings.js <user-data-dir>/User/settings.json
'use strict';
const fs = require('fs');
const path = require('path');

const DEFAULTS = {
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'files.autoSave': 'off',
};

const file = process.argv[2];
if (!file) {
  console.error('usage: code-server-settings.js SETTINGS_JSON');
  process.exit(2);
}
let settings = {};
if (fs.existsSync(file)) {
  try {
    settings = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    // A settings.json edited by hand may hold comments: leave it as it is rather than lose what it says.
    console.error(`code-server-settings.js: ${file} is not plain JSON (${err.message}); left unchanged.`);
    console.error(`Add "files.autoSave": "off" to it to stop code-server saving as you type.`);
    process.exit(0);
  }
}
const added = Object.keys(DEFAULTS).filter((k) => !(k in settings));
if (added.length) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...settings, ...Object.fromEntries(added.map((k) => [k, DEFAULTS[k]])) }, null, 2) + '\n');
}
