// In-editor integration tests: run() executes in the real VS Code extension host (VS Code 1.100 from
// code-server 4.100.3) with the real `vscode` API and the gto-artifacts extension installed from its .vsix,
// on a copy of the demo repository. Which suite runs is chosen by GTO_EDITOR_TEST (set by the driver):
// "trusted" or "restricted". Each result is printed as a `GTO_TEST {json}` line for the driver.
'use strict';
const assert = require('assert');
const cp = require('child_process');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');

const EXTENSION_ID = 'gto-lsp.gto-artifacts';
const suites = { trusted: [], restricted: [] };
const test = (suite, name, fn) => suites[suite].push({ name, fn });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, fn, timeoutMs = 20000, everyMs = 100) {
  const start = Date.now();
  let last;
  while (Date.now() - start < timeoutMs) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}

function root() {
  return vscode.workspace.workspaceFolders[0].uri.fsPath;
}

function git(...args) {
  return cp.execFileSync('git', args, { cwd: root(), encoding: 'utf8' }).trimEnd();
}

/** `git status --porcelain` lines, without the annotation file a test changes (artifacts.yaml by default). */
function otherChanges(file = 'artifacts.yaml') {
  return git('status', '--porcelain')
    .split('\n')
    .filter((l) => l && l.slice(3) !== file)
    .sort();
}

let apiPromise;
async function api() {
  apiPromise ??= (async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is installed`);
    const a = await ext.activate();
    await waitFor('the language server to run', () => a.server.running, 40000);
    return a;
  })();
  return apiPromise;
}

function artifactsUri() {
  return vscode.Uri.file(path.join(root(), 'artifacts.yaml'));
}

async function openArtifacts() {
  return openFile(artifactsUri());
}

function dvcUri() {
  return vscode.Uri.file(path.join(root(), 'dvc.yaml'));
}

async function openFile(uri) {
  const doc = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(doc);
  return { doc, editor };
}

async function revertFile(uri) {
  const { doc } = await openFile(uri);
  if (doc.isDirty) {
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
  await waitFor(`${path.basename(uri.fsPath)} to be reverted`, () => !doc.isDirty);
}

async function revertArtifacts() {
  await revertFile(artifactsUri());
}

function lineOf(doc, needle) {
  for (let i = 0; i < doc.lineCount; i++) {
    if (doc.lineAt(i).text.includes(needle)) return i;
  }
  throw new Error(`no line with ${JSON.stringify(needle)} in ${doc.uri.fsPath}`);
}

function describeDiagnostics(diags) {
  return diags
    .map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${vscode.DiagnosticSeverity[d.severity]} [${d.source}/${typeof d.code === 'object' ? d.code.value : d.code}] ${d.message}`)
    .join('\n');
}

/**
 * Drives the extension's real QuickInput prompts: for each expected step, waits until it is shown, checks its
 * id, applies `act(input)` (set a value, pick an item) and accepts it the way Enter does
 * (`workbench.action.acceptSelectedQuickOpenItem`), or presses Escape (`workbench.action.closeQuickOpen`).
 */
function drive(a, steps) {
  const queue = [];
  let wake;
  const sub = a.prompter.onDidShow((shown) => {
    queue.push(shown);
    wake?.();
  });
  const seen = [];
  const done = (async () => {
    try {
      for (const step of steps) {
        const shown = await waitFor(`prompt '${step.id}'`, () => queue.shift(), 15000, 25);
        seen.push(`${shown.id} ${shown.step}/${shown.totalSteps}`);
        assert.strictEqual(shown.id, step.id, `expected prompt '${step.id}', got '${shown.id}' after ${seen.join(', ')}`);
        await sleep(150);
        if (step.escape) {
          await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
          continue;
        }
        step.act?.(shown.input);
        await sleep(150);
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      }
    } catch (err) {
      // Close the prompt so the command under test ends (as cancelled) and the error is reported.
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      throw err;
    } finally {
      sub.dispose();
    }
    return seen;
  })();
  return done;
}

const value = (v) => (input) => {
  input.value = v;
};
const item = (label) => (input) => {
  const found = input.items.find((i) => i.label === label);
  assert.ok(found, `item '${label}' among ${input.items.map((i) => i.label).join(', ')}`);
  input.activeItems = [found];
};
const checked = (labels) => (input) => {
  input.selectedItems = input.items.filter((i) => labels.includes(i.label));
};

async function runCommand(a, command, steps, arg) {
  const driving = drive(a, steps);
  driving.catch(() => undefined); // awaited below, after the command ends
  const result = await vscode.commands.executeCommand(command, ...(arg === undefined ? [] : [arg]));
  const seen = await driving;
  console.log(`${command}: prompts ${seen.join(', ')} -> ${JSON.stringify(result)}`);
  return result;
}

// The first question: which file (artifacts.yaml, the root dvc.yaml, ...).
const INTO_ARTIFACTS_YAML = { id: 'file', act: item('artifacts.yaml') };

const ANNOTATE_RF = (followUp, { pick = true, mustExist = 'Must exist' } = {}) => [
  INTO_ARTIFACTS_YAML,
  { id: 'name', act: value('rf') },
  { id: 'type', act: item('model') },
  // Restricted Mode: no git, so no file list: the path is typed.
  { id: 'path', act: pick ? item('models/rf.pkl') : value('models/rf.pkl') },
  { id: 'labels', act: checked([]) },
  { id: 'description', act: value('Random forest') },
  { id: 'mustExist', act: item(mustExist) },
  { id: 'followUp', act: item(followUp) },
];

// ---------------------------------------------------------------- trusted workspace

test('trusted', 'the extension activates and starts the server from the .vsix', async () => {
  assert.strictEqual(vscode.workspace.isTrusted, true);
  const a = await api();
  assert.ok(a.server.interpreterCommand, 'an interpreter was chosen');
  const commands = await vscode.commands.getCommands(true);
  for (const id of ['gto.annotate', 'gto.remove', 'gto.commit', 'gto.restartServer', 'gto.showLog', 'gto.annotateFromExplorer']) {
    assert.ok(commands.includes(id), id);
  }
  const ctx = await a.server.context(root());
  assert.strictEqual(ctx.ok, true, ctx.message);
  assert.strictEqual(ctx.trusted, true);
});

test('trusted', 'diagnostics appear for the broken artifacts.yaml', async () => {
  await api();
  const { doc } = await openArtifacts();
  assert.strictEqual(doc.languageId, 'gto-artifacts');
  const diags = await waitFor('diagnostics', () => {
    const d = vscode.languages.getDiagnostics(doc.uri);
    return d.length >= 3 ? d : undefined;
  });
  console.log(`diagnostics:\n${describeDiagnostics(diags)}`);
  const lines = new Set(diags.map((d) => d.range.start.line));
  for (const needle of ['descripton', 'type: data', 'models/forecast.pkl']) {
    assert.ok(lines.has(lineOf(doc, needle)), `a problem on the line of ${needle}`);
  }
  for (const d of diags) {
    assert.ok(d.source, 'every diagnostic has a source');
    assert.ok(d.code !== undefined && d.code !== '', 'every diagnostic has a code');
  }
});

test('trusted', 'completion offers types and paths', async () => {
  await api();
  const { doc, editor } = await openArtifacts();
  try {
    const end = doc.lineAt(doc.lineCount - 1).range.end;
    await editor.edit((e) => e.insert(end, '\nnewart:\n  type: '));
    const typePos = doc.lineAt(doc.lineCount - 1).range.end;
    const labelsAt = async (pos) => {
      const list = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, pos);
      return list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    };
    const types = await waitFor('type completions', async () => {
      const l = await labelsAt(typePos);
      return l.includes('model') ? l : undefined;
    });
    console.log(`type completions: ${types.join(', ')}`);
    assert.ok(types.includes('dataset'), 'dataset is offered');
    await editor.edit((e) => e.insert(typePos, 'model\n  path: '));
    const pathPos = doc.lineAt(doc.lineCount - 1).range.end;
    let lastPaths = [];
    const paths = await waitFor('path completions', async () => {
      lastPaths = await labelsAt(pathPos);
      return lastPaths.some((x) => x.includes('models')) ? lastPaths : undefined;
    }).catch((err) => {
      throw new Error(`${err.message}; offered: ${lastPaths.join(', ')}`);
    });
    console.log(`path completions: ${paths.join(', ')}`);
  } finally {
    await revertArtifacts();
  }
});

test('trusted', 'a quick fix applies', async () => {
  await api();
  const { doc } = await openArtifacts();
  const line = lineOf(doc, 'descripton');
  const diag = await waitFor('the unknown field diagnostic', () =>
    vscode.languages.getDiagnostics(doc.uri).find((d) => d.range.start.line === line),
  );
  const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', doc.uri, diag.range, vscode.CodeActionKind.QuickFix.value);
  console.log(`quick fixes for "${diag.message}": ${actions.map((a) => a.title).join(' | ')}`);
  const fix = actions.find((a) => a.edit && /Rename to `description`/.test(a.title));
  assert.ok(fix, 'the rename quick fix');
  assert.ok(await vscode.workspace.applyEdit(fix.edit), 'the edit applies');
  if (fix.command) {
    await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
  }
  assert.ok(!doc.getText().includes('descripton'), 'the typo is gone from the buffer');
  assert.match(doc.lineAt(line).text, /^  description: Scores card transactions/);
  await waitFor('the diagnostic to go away', () =>
    !vscode.languages.getDiagnostics(doc.uri).some((d) => d.message === diag.message && d.range.start.line === line),
  );
  await revertArtifacts();
});

test('trusted', "a code action's Annotate starts the prompts with the entry's values", async () => {
  const a = await api();
  const { doc } = await openArtifacts();
  const line = lineOf(doc, 'fraud:');
  const range = new vscode.Range(line, 0, line, 0);
  const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', doc.uri, range);
  const action = actions.find((x) => x.command && x.command.command === 'gto.annotate');
  assert.ok(action, `an Annotate code action among: ${actions.map((x) => x.title).join(' | ')}`);
  const args = action.command.arguments ?? [];
  assert.strictEqual(args[0]?.name, 'fraud');
  // No file question: the code action's file is the one it was run in.
  const driving = drive(a, [
    {
      id: 'name',
      act: (input) => assert.strictEqual(input.value, 'fraud'),
    },
    { id: 'type', act: (input) => assert.strictEqual(input.activeItems[0]?.label, 'model') },
    { id: 'path', act: (input) => assert.strictEqual(input.activeItems[0]?.label, 'models/fraud') },
    { id: 'labels', act: (input) => { input.value = 'ml'; } },
    { id: 'description', act: () => undefined },
    { id: 'mustExist', act: () => undefined },
    { id: 'followUp', act: item('Annotate') },
  ]);
  driving.catch(() => undefined);
  const result = await vscode.commands.executeCommand(action.command.command, ...args);
  console.log(`code action ${action.title}: prompts ${(await driving).join(', ')} -> ${JSON.stringify(result)}`);
  assert.strictEqual(result.status, 'changed', result.message);
  assert.match(doc.getText(), /^\s+- ml\s*$/m, 'the new label is in the buffer');
  await vscode.commands.executeCommand('undo');
  await waitFor('undo', () => !/^\s+- ml\s*$/m.test(doc.getText()));
});

test('trusted', 'Escape in the annotate prompts changes nothing', async () => {
  const a = await api();
  const { doc } = await openArtifacts();
  const before = doc.getText();
  const result = await runCommand(a, 'gto.annotate', [INTO_ARTIFACTS_YAML, { id: 'name', act: value('rf') }, { id: 'type', escape: true }]);
  assert.strictEqual(result.status, 'cancelled');
  assert.strictEqual(doc.getText(), before);
});

test('trusted', 'annotate through the prompts, then commit only artifacts.yaml with GTO\'s message', async () => {
  const a = await api();
  const { doc } = await openArtifacts();
  const others = otherChanges();
  assert.ok(others.some((l) => l.startsWith(' M') && l.endsWith('src/train.py')), `a modified tracked file: ${others}`);
  assert.ok(others.some((l) => l.startsWith('??')), `an untracked file: ${others}`);
  const headBefore = git('rev-parse', 'HEAD');
  const result = await runCommand(a, 'gto.annotate', ANNOTATE_RF('Annotate and commit'));
  assert.strictEqual(result.status, 'committed', result.message);
  const sha = git('rev-parse', 'HEAD');
  assert.notStrictEqual(sha, headBefore);
  assert.strictEqual(result.message, `Annotated rf; committed ${sha.slice(0, 7)}`);
  assert.strictEqual(git('log', '-1', '--format=%s'), 'Annotate artifact `rf` of type `model` with path `models/rf.pkl`');
  assert.strictEqual(git('show', '--name-only', '--format=', 'HEAD'), 'artifacts.yaml');
  assert.deepStrictEqual(otherChanges(), others, 'the other changes are as they were');
  assert.strictEqual(doc.isDirty, false, 'artifacts.yaml was saved');
  const committed = git('show', 'HEAD:artifacts.yaml');
  assert.match(committed, /^rf:$/m);
  assert.match(committed, /path: models\/rf\.pkl/);
  assert.match(committed, /description: Random forest/);
  assert.strictEqual(doc.getText(), fs.readFileSync(artifactsUri().fsPath, 'utf8'));
});

test('trusted', 'remove through the prompts changes the buffer only', async () => {
  const a = await api();
  const { doc } = await openArtifacts();
  const head = git('rev-parse', 'HEAD');
  const result = await runCommand(a, 'gto.remove', [
    { id: 'removeName', act: item('rf') },
    { id: 'removeConfirm', act: item('Remove') },
  ]);
  assert.strictEqual(result.status, 'changed', result.message);
  assert.ok(!/^rf:/m.test(doc.getText()), 'rf is removed from the buffer');
  assert.strictEqual(doc.isDirty, true);
  assert.strictEqual(git('rev-parse', 'HEAD'), head, 'nothing committed');
  await vscode.commands.executeCommand('undo');
  await waitFor('undo to bring rf back', () => /^rf:/m.test(doc.getText()));
});

test('trusted', 'Explorer: Annotate as Artifact suggests name, type and path from the file', async () => {
  const a = await api();
  const { doc } = await openArtifacts();
  const uri = vscode.Uri.file(path.join(root(), 'models', 'churn.pkl'));
  const driving = drive(a, [
    {
      id: 'file',
      act: (input) => {
        // The demo annotates mostly in artifacts.yaml: the server proposes it; the root dvc.yaml is next.
        assert.deepStrictEqual(input.items.map((i) => i.label), ['artifacts.yaml', 'dvc.yaml']);
        assert.strictEqual(input.activeItems[0]?.label, 'artifacts.yaml');
      },
    },
    { id: 'name', act: (input) => assert.strictEqual(input.value, 'churn') },
    { id: 'type', act: (input) => assert.strictEqual(input.activeItems[0]?.label, 'model') },
    { id: 'path', act: (input) => assert.strictEqual(input.activeItems[0]?.label, 'models/churn.pkl') },
    { id: 'labels', act: (input) => { input.value = 'explorer'; } },
    { id: 'description', act: () => undefined },
    { id: 'mustExist', act: () => undefined },
    { id: 'followUp', act: item('Annotate') },
  ]);
  driving.catch(() => undefined);
  const result = await vscode.commands.executeCommand('gto.annotateFromExplorer', uri, [uri]);
  console.log(`explorer: prompts ${(await driving).join(', ')} -> ${JSON.stringify(result)}`);
  assert.strictEqual(result.status, 'changed', result.message);
  assert.match(doc.getText(), /explorer/);
  await vscode.commands.executeCommand('undo');
  await waitFor('undo', () => !/explorer/.test(doc.getText()));
});

// ---------------------------------------------------------------- dvc.yaml (the demo's pipeline with stages)

/**
 * Checks an annotate of `name` into the demo's dvc.yaml: every line before stays, in order, and byte for byte up
 * to `artifacts:` (the stages, vars); the added lines are one entry under `artifacts:` whose keys come in DVC's
 * order with `desc` (never GTO's `description`). Returns the added lines.
 */
function checkDvcAnnotate(before, after, name, expect) {
  const head = before.slice(0, before.indexOf('\nartifacts:') + 1);
  assert.ok(head.length > 0 && after.startsWith(head), 'everything before artifacts: (the stages) is unchanged');
  const old = before.split('\n');
  const now = after.split('\n');
  const added = [];
  let i = 0;
  for (const line of now) {
    if (i < old.length && line === old[i]) i++;
    else added.push(line);
  }
  assert.strictEqual(i, old.length, `every line of the file is still there, in order; added:\n${added.join('\n')}`);
  assert.strictEqual(added[0], `  ${name}:`, `the entry is a key of artifacts:; added:\n${added.join('\n')}`);
  const at = now.indexOf(`  ${name}:`);
  assert.ok(at > now.indexOf('artifacts:'), 'the entry comes after artifacts:');
  for (const line of now.slice(now.indexOf('artifacts:') + 1, at)) {
    assert.ok(!/^[^\s#]/.test(line), `no other top-level key between artifacts: and the entry (${JSON.stringify(line)})`);
  }
  const body = added.slice(1);
  assert.ok(body.every((l) => l.startsWith('    ') || l === ''), `the entry's fields are inside it:\n${body.join('\n')}`);
  const keys = body.filter((l) => /^ {4}[a-z]+:/.test(l)).map((l) => l.trim().split(':')[0]);
  assert.deepStrictEqual(keys, expect.keys, "the fields, in DVC's order");
  assert.ok(!body.some((l) => /description:/.test(l)), 'DVC calls it desc');
  assert.ok(body.includes(`    path: ${expect.path}`), `path: ${expect.path}`);
  assert.ok(body.includes(`    desc: ${expect.desc}`), `desc: ${expect.desc}`);
  return added;
}

test('trusted', 'no dvc.yaml yet: the root one is offered "will be created", annotate creates it and commits it alone', async () => {
  const a = await api();
  // Runs before any test opens dvc.yaml: an open document counts as the file for the server.
  const pipeline = fs.readFileSync(dvcUri().fsPath, 'utf8');
  git('rm', '-q', 'dvc.yaml');
  git('commit', '-q', '-m', 'No pipeline any more');
  let files;
  await waitFor('the server to list the root dvc.yaml as missing', async () => {
    files = (await a.server.context(root())).annotationFiles;
    return files?.some((f) => f.file === 'dvc.yaml' && !f.exists);
  }).catch((err) => {
    throw new Error(`${err.message}; annotationFiles: ${JSON.stringify(files)}`);
  });
  const result = await runCommand(a, 'gto.annotate', [
    {
      id: 'file',
      act: (input) => {
        const dvc = input.items.find((i) => i.label === 'dvc.yaml');
        assert.ok(dvc, `dvc.yaml offered among ${input.items.map((i) => i.label).join(', ')}`);
        assert.match(dvc.description, /will be created/);
        input.activeItems = [dvc];
      },
    },
    { id: 'name', act: value('ranker') },
    { id: 'type', act: item('model') },
    { id: 'path', act: item('models/ranker.pkl') },
    { id: 'labels', act: checked([]) },
    { id: 'description', act: value('') },
    { id: 'followUp', act: item('Annotate and commit') },
  ]);
  assert.strictEqual(result.status, 'committed', result.message);
  assert.strictEqual(git('show', '--name-only', '--format=', 'HEAD'), 'dvc.yaml');
  assert.strictEqual(git('show', 'HEAD:dvc.yaml'), 'artifacts:\n  ranker:\n    path: models/ranker.pkl\n    type: model');
  // The demo's pipeline back, for the tests that follow.
  fs.writeFileSync(dvcUri().fsPath, pipeline);
  git('commit', '-q', '-m', 'The pipeline again', '--', 'dvc.yaml');
  await waitFor('the server to see the pipeline again', async () =>
    (await a.server.context(root())).dvcArtifacts?.['dvc.yaml']?.recommender,
  );
});

test('trusted', 'dvc.yaml stays YAML and gets the server: the invalid name is reported, with a quick fix', async () => {
  await api();
  const { doc } = await openFile(dvcUri());
  assert.strictEqual(doc.languageId, 'yaml', 'dvc.yaml is not taken over by our language');
  const line = lineOf(doc, 'customer.features:');
  const diag = await waitFor('the diagnostic on customer.features', () =>
    vscode.languages.getDiagnostics(doc.uri).find((d) => d.range.start.line === line),
  );
  const all = vscode.languages.getDiagnostics(doc.uri);
  console.log(`dvc.yaml diagnostics:\n${describeDiagnostics(all)}`);
  const artifactsLine = lineOf(doc, 'artifacts:');
  assert.ok(!all.some((d) => d.range.start.line < artifactsLine), 'nothing reported in vars or stages: the demo pipeline is valid');
  assert.strictEqual(diag.severity, vscode.DiagnosticSeverity.Warning, 'DVC loads the file: a warning');
  assert.strictEqual(typeof diag.code === 'object' ? diag.code.value : diag.code, 'invalid-name');
  const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', doc.uri, diag.range, vscode.CodeActionKind.QuickFix.value);
  console.log(`quick fixes for "${diag.message}": ${actions.map((x) => x.title).join(' | ')}`);
  const fix = actions.find((x) => x.edit && /customer-features/.test(x.title));
  assert.ok(fix, 'a quick fix to a valid name');
  assert.ok(await vscode.workspace.applyEdit(fix.edit), 'the edit applies');
  assert.match(doc.lineAt(line).text, /^ {2}customer-features:/);
  await waitFor('the diagnostic to go away', () => !vscode.languages.getDiagnostics(doc.uri).some((d) => d.range.start.line === line && d.message === diag.message));
  await revertFile(dvcUri());
});

test('trusted', 'Explorer: annotate models/ranker.pkl into dvc.yaml: stages untouched, desc under artifacts:, one undo', async () => {
  const a = await api();
  const { doc } = await openFile(dvcUri());
  const before = doc.getText();
  const uri = vscode.Uri.file(path.join(root(), 'models', 'ranker.pkl'));
  const driving = drive(a, [
    {
      id: 'file',
      act: (input) => {
        assert.deepStrictEqual(input.items.map((i) => i.label), ['artifacts.yaml', 'dvc.yaml']);
        item('dvc.yaml')(input);
      },
    },
    { id: 'name', act: (input) => assert.strictEqual(input.value, 'ranker') },
    { id: 'type', act: (input) => assert.strictEqual(input.activeItems[0]?.label, 'model') },
    {
      id: 'path',
      act: (input) => {
        assert.ok(!input.items.some((i) => /virtual/.test(i.label)), 'DVC requires a path: no virtual choice');
        assert.ok(!input.items.some((i) => i.label === 'dvc.yaml'), 'dvc.yaml is no artifact');
        assert.strictEqual(input.activeItems[0]?.label, 'models/ranker.pkl');
      },
    },
    { id: 'labels', act: (input) => { input.value = 'ranking'; } },
    { id: 'description', act: value('Ranks products for the home page') },
    // No must-exist step: DVC has no such field.
    { id: 'followUp', act: item('Annotate') },
  ]);
  driving.catch(() => undefined);
  const result = await vscode.commands.executeCommand('gto.annotateFromExplorer', uri, [uri]);
  console.log(`explorer into dvc.yaml: prompts ${(await driving).join(', ')} -> ${JSON.stringify(result)}`);
  assert.strictEqual(result.status, 'changed', result.message);
  assert.strictEqual(result.message, 'Annotated ranker in dvc.yaml (not saved yet).');
  const added = checkDvcAnnotate(before, doc.getText(), 'ranker', {
    keys: ['path', 'desc', 'type', 'labels'],
    path: 'models/ranker.pkl',
    desc: 'Ranks products for the home page',
  });
  console.log(`added to dvc.yaml:\n${added.join('\n')}`);
  assert.ok(doc.isDirty, 'changed in the editor, not saved');
  await vscode.commands.executeCommand('undo');
  await waitFor('one undo to restore the file', () => doc.getText() === before);
  await revertFile(dvcUri());
});

test('trusted', 'annotate into dvc.yaml and commit: only dvc.yaml is committed, with GTO\'s message', async () => {
  const a = await api();
  const { doc } = await openFile(dvcUri());
  const before = doc.getText();
  const others = otherChanges('dvc.yaml');
  assert.ok(others.some((l) => l.endsWith('src/train.py')), `a modified tracked file: ${others}`);
  const result = await runCommand(a, 'gto.annotate', [
    { id: 'file', act: item('dvc.yaml') },
    { id: 'name', act: value('ranker') },
    { id: 'type', act: item('model') },
    { id: 'path', act: item('models/ranker.pkl') },
    { id: 'labels', act: checked([]) },
    { id: 'description', act: value('Ranks products') },
    { id: 'followUp', act: item('Annotate and commit') },
  ]);
  assert.strictEqual(result.status, 'committed', result.message);
  assert.strictEqual(git('log', '-1', '--format=%s'), 'Annotate artifact `ranker` of type `model` with path `models/ranker.pkl`');
  assert.strictEqual(git('show', '--name-only', '--format=', 'HEAD'), 'dvc.yaml');
  assert.deepStrictEqual(otherChanges('dvc.yaml'), others, 'the other changes are as they were');
  assert.strictEqual(doc.isDirty, false, 'dvc.yaml was saved');
  const committed = git('show', 'HEAD:dvc.yaml') + '\n';
  assert.strictEqual(committed, doc.getText());
  checkDvcAnnotate(before, committed, 'ranker', { keys: ['path', 'desc', 'type'], path: 'models/ranker.pkl', desc: 'Ranks products' });
});

test('trusted', 'remove from dvc.yaml: the entry goes, the stages stay, one undo brings it back', async () => {
  const a = await api();
  const { doc } = await openFile(dvcUri());
  const before = doc.getText();
  const result = await runCommand(a, 'gto.remove', [
    { id: 'removeName', act: item('recommender') },
    { id: 'removeConfirm', act: item('Remove') },
  ]);
  assert.strictEqual(result.status, 'changed', result.message);
  const after = doc.getText();
  assert.ok(!/^ {2}recommender:/m.test(after), 'recommender is gone');
  assert.ok(after.startsWith(before.slice(0, before.indexOf('\nartifacts:') + 1)), 'the stages are unchanged');
  assert.match(after, /^ {2}customer\.features:/m, 'the other entry stays');
  await vscode.commands.executeCommand('undo');
  await waitFor('undo', () => doc.getText() === before);
  await revertFile(dvcUri());
});

test('trusted', 'a nested dvc.yaml: offered as the nearest, names become folder:name, its path is written from its folder, commit takes it alone', async () => {
  const a = await api();
  const nested = vscode.Uri.file(path.join(root(), 'models', 'fraud', 'dvc.yaml'));
  const stages = 'stages:\n  score:\n    cmd: python score.py model.onnx\n    deps:\n      - model.onnx\n';
  fs.writeFileSync(nested.fsPath, stages);
  // Staged: the server's file list (git ls-files, untracked included) is cached until git's index changes, so a
  // new untracked dvc.yaml is not listed until then (reported to the server's owner).
  git('add', 'models/fraud/dvc.yaml');
  await waitFor('the server to list models/fraud/dvc.yaml', async () =>
    (await a.server.context(root())).annotationFiles?.some((f) => f.file === 'models/fraud/dvc.yaml' && f.exists),
  );
  const onnx = vscode.Uri.file(path.join(root(), 'models', 'fraud', 'model.onnx'));
  const driving = drive(a, [
    {
      id: 'file',
      act: (input) => {
        assert.deepStrictEqual(input.items.map((i) => i.label), ['artifacts.yaml', 'dvc.yaml', 'models/fraud/dvc.yaml']);
        assert.match(input.items[2].description, /nearest to models\/fraud\/model\.onnx/);
        item('models/fraud/dvc.yaml')(input);
      },
    },
    {
      id: 'name',
      act: (input) => {
        assert.strictEqual(input.value, 'fraud');
        assert.match(input.prompt, /its full name is models\/fraud:NAME/);
      },
    },
    { id: 'type', act: (input) => assert.strictEqual(input.activeItems[0]?.label, 'model') },
    { id: 'path', act: (input) => assert.strictEqual(input.activeItems[0]?.label, 'models/fraud/model.onnx') },
    { id: 'labels', act: checked([]) },
    { id: 'description', act: value('Scores card transactions') },
    { id: 'followUp', act: item('Annotate') },
  ]);
  driving.catch(() => undefined);
  const result = await vscode.commands.executeCommand('gto.annotateFromExplorer', onnx, [onnx]);
  console.log(`explorer into models/fraud/dvc.yaml: prompts ${(await driving).join(', ')} -> ${JSON.stringify(result)}`);
  assert.strictEqual(result.status, 'changed', result.message);
  assert.strictEqual(result.message, 'Annotated models/fraud:fraud in models/fraud/dvc.yaml (not saved yet).');
  const doc = await vscode.workspace.openTextDocument(nested);
  console.log(`models/fraud/dvc.yaml:\n${doc.getText()}`);
  assert.ok(doc.getText().startsWith(stages), 'the stage is unchanged');
  assert.match(doc.getText(), /^artifacts:\n {2}fraud:\n {4}path: model\.onnx\n/m, 'the path is relative to models/fraud/');
  assert.match(doc.getText(), /^ {4}desc: Scores card transactions$/m);
  const commit = await runCommand(a, 'gto.commit', [
    {
      id: 'commitMessage',
      act: (input) =>
        assert.strictEqual(input.activeItems[0]?.label, 'Annotate artifact `models/fraud:fraud` of type `model` with path `models/fraud/model.onnx`'),
    },
  ]);
  assert.strictEqual(commit.status, 'committed', commit.message);
  assert.strictEqual(git('show', '--name-only', '--format=', 'HEAD'), 'models/fraud/dvc.yaml');
  assert.strictEqual(git('log', '-1', '--format=%s'), 'Annotate artifact `models/fraud:fraud` of type `model` with path `models/fraud/model.onnx`');
  assert.strictEqual(doc.isDirty, false);
});

// ---------------------------------------------------------------- dvc.yaml's pipeline (issue 14)
// The demo's pipeline (prepare -> train -> evaluate once per split, values from params.yaml) as DVC reads it:
// problems where DVC would refuse the file, with their fix; `${}` hover, definition and completion; key completion
// and hover; the outline; from a dependency to the stage that writes it; references of an output; document links.

function paramsUri() {
  return vscode.Uri.file(path.join(root(), 'params.yaml'));
}

/** The 0-based line of the first line at or after `from` that starts with `prefix`. */
function lineStarting(doc, prefix, from = 0) {
  for (let i = from; i < doc.lineCount; i++) {
    if (doc.lineAt(i).text.startsWith(prefix)) return i;
  }
  throw new Error(`no line starting with ${JSON.stringify(prefix)} after line ${from + 1} of ${doc.uri.fsPath}`);
}

/** The position inside the first `needle` of the line holding it (`offset` characters in). */
function inside(doc, needle, offset = 2) {
  const line = lineOf(doc, needle);
  return new vscode.Position(line, doc.lineAt(line).text.indexOf(needle) + offset);
}

async function hoverText(uri, pos) {
  const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, pos)) ?? [];
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n\n');
}

/** Locations and location links alike, as [fsPath, range]. */
function targets(found) {
  return (found ?? []).map((l) => [(l.targetUri ?? l.uri).fsPath, l.targetSelectionRange ?? l.targetRange ?? l.range]);
}

/** Opens dvc.yaml and inserts `line` into the train stage, before its deps: (the caller reverts the file). */
async function insertIntoTrain(line) {
  const { doc, editor } = await openFile(dvcUri());
  const at = lineStarting(doc, '    deps:', lineStarting(doc, '  train:'));
  await editor.edit((e) => e.insert(new vscode.Position(at, 0), `${line}\n`));
  return { doc, at };
}

/** What a `vscode.execute...Provider` command gives, once it gives something. */
function provided(what, command, ...args) {
  return waitFor(what, async () => {
    const found = await vscode.commands.executeCommand(command, ...args);
    return found?.length ? found : undefined;
  });
}

const codeOf = (d) => (typeof d.code === 'object' ? d.code.value : d.code);
const rangeText = (r) => `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;

test('trusted', 'pipeline: the demo pipeline is valid for DVC: its one problem is the artifact name, nothing in vars, stages or plots', async () => {
  await api();
  const { doc } = await openFile(dvcUri());
  const diags = await waitFor('the diagnostics of dvc.yaml', () => {
    const d = vscode.languages.getDiagnostics(doc.uri);
    return d.length ? d : undefined;
  });
  await sleep(1000); // any later problem of the stages would have come by now
  const all = vscode.languages.getDiagnostics(doc.uri);
  console.log(`dvc.yaml diagnostics:\n${describeDiagnostics(all)}`);
  assert.ok(diags.length > 0);
  assert.deepStrictEqual(all.map((d) => [codeOf(d), d.range.start.line]), [['invalid-name', lineOf(doc, 'customer.features:')]]);
});

test('trusted', "pipeline: a typo'd stage key is refused at its exact range; the editor's quick fix renames it", async () => {
  await api();
  try {
    const { doc, at } = await insertIntoTrain('    frozn: true');
    const diag = await waitFor('the unknown-key error on frozn', () =>
      vscode.languages.getDiagnostics(doc.uri).find((d) => codeOf(d) === 'dvc-unknown-key'),
    );
    console.log(`after typing frozn:\n${describeDiagnostics(vscode.languages.getDiagnostics(doc.uri))}`);
    assert.strictEqual(rangeText(diag.range), `${at}:4-${at}:9`, 'the range is the key `frozn`, nothing more');
    assert.strictEqual(diag.severity, vscode.DiagnosticSeverity.Error, 'DVC refuses the file: an error');
    assert.match(diag.message, /`frozn`/);
    assert.match(diag.message, /DVC refuses/);
    assert.match(diag.message, /`frozen`/);
    assert.deepStrictEqual(vscode.languages.getDiagnostics(doc.uri).map(codeOf).sort(), ['dvc-unknown-key', 'invalid-name'], 'the typo adds one problem');
    const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', doc.uri, diag.range, vscode.CodeActionKind.QuickFix.value);
    console.log(`quick fixes for "${diag.message}": ${actions.map((x) => `${x.title}${x.isPreferred ? ' (preferred)' : ''}`).join(' | ')}`);
    const fix = actions.find((x) => x.edit && x.title === 'Rename to `frozen`');
    assert.ok(fix, 'the rename quick fix');
    assert.strictEqual(fix.isPreferred, true, 'the rename is the preferred fix');
    assert.ok(await vscode.workspace.applyEdit(fix.edit), 'the edit applies');
    assert.strictEqual(doc.lineAt(at).text, '    frozen: true');
    assert.strictEqual(doc.lineAt(at + 1).text, '    deps:', 'the stage goes on as before');
    await waitFor('the error to go', () => !vscode.languages.getDiagnostics(doc.uri).some((d) => codeOf(d) === 'dvc-unknown-key'));
    assert.deepStrictEqual(vscode.languages.getDiagnostics(doc.uri).map(codeOf), ['invalid-name'], '`frozen: true` is valid');
  } finally {
    await revertFile(dvcUri());
  }
});

test('trusted', 'pipeline: hover on ${train.epochs} shows its value from params.yaml; on ${item}, the value in each stage of the foreach', async () => {
  await api();
  const params = await vscode.workspace.openTextDocument(paramsUri());
  const { doc } = await openFile(dvcUri());
  const text = await waitFor('the hover of ${train.epochs}', async () => {
    const t = await hoverText(doc.uri, inside(doc, '${train.epochs}', 9));
    return /`10`/.test(t) ? t : undefined;
  });
  console.log(`hover on \${train.epochs}:\n${text}`);
  assert.match(text, /train\.epochs/);
  assert.match(text, new RegExp(`params\\.yaml, line ${lineOf(params, '  epochs: 10') + 1}\\b`), 'where it is defined');
  const item = await hoverText(doc.uri, inside(doc, '--split ${item}', 11));
  console.log(`hover on \${item}:\n${item}`);
  assert.match(item, /evaluate@validation: `validation`/);
  assert.match(item, /evaluate@test: `test`/);
});

test('trusted', 'pipeline: go to definition of ${train.learning_rate} opens params.yaml at the key', async () => {
  await api();
  const params = await vscode.workspace.openTextDocument(paramsUri());
  const key = lineOf(params, '  learning_rate:');
  const { doc, editor } = await openFile(dvcUri());
  const pos = inside(doc, '${train.learning_rate}', 10);
  const found = targets(await vscode.commands.executeCommand('vscode.executeDefinitionProvider', doc.uri, pos));
  console.log(`definitions: ${found.map(([f, r]) => `${path.relative(root(), f)} ${rangeText(r)}`).join(', ')}`);
  assert.deepStrictEqual(found.map(([f, r]) => [f, rangeText(r)]), [[paramsUri().fsPath, `${key}:2-${key}:15`]]);
  // As F12 does: from the cursor, the editor opens the file at the key.
  editor.selection = new vscode.Selection(pos, pos);
  await vscode.commands.executeCommand('editor.action.revealDefinition');
  const opened = await waitFor('params.yaml to be the active editor', () => {
    const e = vscode.window.activeTextEditor;
    return e && e.document.uri.fsPath === paramsUri().fsPath ? e : undefined;
  });
  assert.strictEqual(opened.selection.active.line, key, 'the cursor is on the key');
  assert.strictEqual(opened.selection.start.character, 2);
  await openFile(dvcUri());
});

test('trusted', 'pipeline: completion after ${ offers the variables with their values, after ${train. its keys', async () => {
  await api();
  const { doc, editor } = await openFile(dvcUri());
  const line = lineOf(doc, 'python src/evaluate.py');
  const labelsAt = async (pos, trigger) => {
    const list = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, pos, trigger);
    return list.items.filter((i) => i.kind === vscode.CompletionItemKind.Variable);
  };
  const describe = (items) => items.map((i) => `${typeof i.label === 'string' ? i.label : i.label.label} (${i.detail})`).join(', ');
  try {
    const end = doc.lineAt(line).range.end;
    await editor.edit((e) => e.insert(end, ' ${'));
    const names = await waitFor('the variables after ${', async () => {
      const items = await labelsAt(doc.lineAt(line).range.end, '{');
      return items.some((i) => i.label === 'train') ? items : undefined;
    });
    console.log(`after \${: ${describe(names)}`);
    const labels = names.map((i) => i.label);
    for (const name of ['prepare', 'train', 'evaluate', 'item']) assert.ok(labels.includes(name), `${name} among ${labels}`);
    assert.match(names.find((i) => i.label === 'train').detail, /"epochs": 10/);
    assert.strictEqual(names.find((i) => i.label === 'item').detail, 'validation', "the foreach's first item");
    await editor.edit((e) => e.insert(doc.lineAt(line).range.end, 'train.'));
    const keys = await waitFor('the keys after ${train.', async () => {
      const items = await labelsAt(doc.lineAt(line).range.end, '.');
      return items.length ? items : undefined;
    });
    console.log(`after \${train.: ${describe(keys)}`);
    assert.deepStrictEqual(keys.map((i) => [i.label, i.detail]), [['epochs', '10'], ['learning_rate', '0.001'], ['embedding_dim', '64']]);
  } finally {
    await revertFile(dvcUri());
  }
});

test('trusted', 'pipeline: in a stage, completion offers the keys it lacks; hover on a key says what DVC does with it', async () => {
  await api();
  const { doc, at: deps } = await insertIntoTrain('    ');
  try {
    const keys = await waitFor('the keys of a stage', async () => {
      const list = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(deps, 4));
      const found = list.items.filter((i) => i.kind === vscode.CompletionItemKind.Property).map((i) => i.label);
      return found.length ? found : undefined;
    });
    console.log(`keys offered in the train stage: ${keys.join(', ')}`);
    for (const key of ['frozen', 'wdir', 'desc', 'always_changed', 'metrics', 'plots']) assert.ok(keys.includes(key), `${key} among ${keys}`);
    for (const key of ['cmd', 'deps', 'params', 'outs']) assert.ok(!keys.includes(key), `${key}, which the stage has, is not offered`);
  } finally {
    await revertFile(dvcUri());
  }
  const text = await hoverText(doc.uri, new vscode.Position(deps, 6));
  console.log(`hover on deps:\n${text}`);
  assert.match(text, /`deps`\*\* \(a stage\)/);
  assert.match(text, /`dvc repro` runs the stage again/);
});

test('trusted', 'pipeline: the outline lists the sections, the stages and their paths and params', async () => {
  await api();
  const { doc } = await openFile(dvcUri());
  const symbols = await provided('the outline', 'vscode.executeDocumentSymbolProvider', doc.uri);
  const show = (list, depth = 0) => list.flatMap((s) => [`${'  '.repeat(depth)}${s.name} (${s.detail})`, ...show(s.children ?? [], depth + 1)]);
  console.log(`outline:\n${show(symbols).join('\n')}`);
  assert.deepStrictEqual(symbols.map((s) => s.name), ['vars', 'stages', 'plots', 'artifacts']);
  const stages = symbols.find((s) => s.name === 'stages').children;
  assert.deepStrictEqual(stages.map((s) => s.name), ['prepare', 'train', 'evaluate']);
  const train = stages[1];
  const trainLine = lineStarting(doc, '  train:');
  assert.strictEqual(rangeText(train.selectionRange), `${trainLine}:2-${trainLine}:7`, 'the stage is selected by its name');
  assert.ok(train.range.contains(new vscode.Position(lineOf(doc, '- models/recommender.pt'), 8)), "the stage's range holds its outs");
  assert.deepStrictEqual(
    train.children.map((c) => [c.name, c.detail]),
    [['data/features.csv', 'deps'], ['src/train.py', 'deps'], ['models/recommender.pt', 'outs'], ['params.yaml', 'train.epochs, train.learning_rate, train.embedding_dim']],
  );
  assert.ok(stages[2].children.some((c) => c.name === 'reports/${item}/metrics.json' && c.detail === 'metrics'), "the foreach's metrics");
});

test('trusted', 'pipeline: hover on a stage shows its command with the values and its neighbours; on a dependency, who writes it', async () => {
  await api();
  const { doc } = await openFile(dvcUri());
  const train = lineStarting(doc, '  train:');
  const stage = await hoverText(doc.uri, new vscode.Position(train, 4));
  console.log(`hover on train:\n${stage}`);
  assert.match(stage, /stage `train`/);
  assert.match(stage, /--epochs 10 --lr 0\.001 --dim 64/, 'the command as DVC runs it');
  assert.match(stage, /after: `prepare`/);
  assert.match(stage, /feeds: `evaluate@validation`, `evaluate@test`/);
  const evaluate = lineStarting(doc, '  evaluate:');
  const dep = lineStarting(doc, '        - models/recommender.pt', evaluate);
  const path_ = await hoverText(doc.uri, new vscode.Position(dep, 14));
  console.log(`hover on evaluate's dependency:\n${path_}`);
  assert.match(path_, /Written by stage `train`/);
});

test('trusted', 'pipeline: go to definition from a dependency reaches the stage that writes it; references of an output are the stages that read it', async () => {
  await api();
  const { doc } = await openFile(dvcUri());
  const train = lineStarting(doc, '  train:');
  const out = lineStarting(doc, '      - models/recommender.pt', train);
  const evaluate = lineStarting(doc, '  evaluate:');
  const dep = lineStarting(doc, '        - models/recommender.pt', evaluate);
  const rel = ([f, r]) => `${path.relative(root(), f)} ${rangeText(r)}`;
  const defs = targets(await vscode.commands.executeCommand('vscode.executeDefinitionProvider', doc.uri, new vscode.Position(dep, 14))).map(rel);
  console.log(`definitions of evaluate's dependency: ${defs.join(', ')}`);
  assert.deepStrictEqual(defs, [`dvc.yaml ${train}:2-${train}:7`, 'models/recommender.pt 0:0-0:0'], 'the train stage, then the file');
  const refs = targets(await vscode.commands.executeCommand('vscode.executeReferenceProvider', doc.uri, new vscode.Position(out, 12))).map(rel);
  console.log(`references of train's output: ${refs.join(', ')}`);
  assert.deepStrictEqual(refs.filter((r) => r.startsWith('dvc.yaml ')), [`dvc.yaml ${dep}:10-${dep}:31`], "evaluate's dependency reads it");
});

test('trusted', 'pipeline: the paths that exist are document links to their files', async () => {
  await api();
  const { doc } = await openFile(dvcUri());
  const links = await provided('the document links', 'vscode.executeLinkProvider', doc.uri);
  const shown = links.map((l) => `${l.range.start.line + 1}:${l.range.start.character + 1} -> ${path.relative(root(), l.target.fsPath)}`);
  console.log(`links:\n${shown.join('\n')}`);
  const targetsOf = new Set(links.map((l) => path.relative(root(), l.target.fsPath)));
  assert.deepStrictEqual(
    [...targetsOf].sort(),
    ['data/customers.csv', 'data/features.csv', 'models/recommender.pt', 'params.yaml', 'src/evaluate.py', 'src/prepare.py', 'src/train.py'],
    'every existing path, and no output that does not exist yet (reports/...)',
  );
  const customers = lineOf(doc, '- data/customers.csv');
  const link = links.find((l) => l.range.start.line === customers);
  assert.ok(link, 'a link on data/customers.csv');
  assert.strictEqual(doc.getText(link.range), 'data/customers.csv');
  assert.strictEqual(link.target.scheme, 'file');
});

test('trusted', 'settings reach the server (gto.checks.unknownFields)', async () => {
  await api();
  const { doc } = await openArtifacts();
  const hasUnknown = () => vscode.languages.getDiagnostics(doc.uri).some((d) => /descripton/.test(d.message));
  await waitFor('the unknown-field warning', hasUnknown);
  const config = vscode.workspace.getConfiguration('gto');
  await config.update('checks.unknownFields', false, vscode.ConfigurationTarget.Global);
  try {
    await waitFor('the unknown-field warning to go', () => !hasUnknown());
  } finally {
    await config.update('checks.unknownFields', undefined, vscode.ConfigurationTarget.Global);
  }
  await waitFor('the unknown-field warning to come back', hasUnknown);
});

test('trusted', 'Restart Server is single-flight and the server comes back', async () => {
  const a = await api();
  await Promise.all([
    vscode.commands.executeCommand('gto.restartServer'),
    vscode.commands.executeCommand('gto.restartServer'),
    vscode.commands.executeCommand('gto.restartServer'),
  ]);
  await waitFor('the server to run again', () => a.server.running, 30000);
  const ctx = await a.server.context(root());
  assert.strictEqual(ctx.ok, true);
  // A restart asked for is no error: nothing at error level in the "GTO Artifacts" output, no error pop-up.
  assert.deepStrictEqual(a.server.clientErrors, []);
});

test('trusted', 'a bad gto.interpreter restarts the server and says what was tried; clearing it recovers', async () => {
  const a = await api();
  const config = vscode.workspace.getConfiguration('gto');
  const stopped = new Promise((resolve) => {
    const sub = a.server.onDidChangeState((s) => {
      if (s === 'failed') {
        sub.dispose();
        resolve(s);
      }
    });
  });
  await config.update('interpreter', ['/nonexistent/python3'], vscode.ConfigurationTarget.Global);
  try {
    await Promise.race([stopped, sleep(20000).then(() => Promise.reject(new Error('no failed start after a bad interpreter')))]);
    assert.strictEqual(a.server.running, false);
    await assert.rejects(a.server.context(root()), /\/nonexistent\/python3 \(setting gto\.interpreter\): not found.*gto\.interpreter/s);
  } finally {
    await config.update('interpreter', undefined, vscode.ConfigurationTarget.Global);
  }
  await waitFor('the server to run again', () => a.server.running, 30000);
});

test('trusted', 'Commit artifacts.yaml commits the last change with its GTO message', async () => {
  const a = await api();
  const { doc } = await openArtifacts();
  const others = otherChanges();
  const removed = await runCommand(a, 'gto.remove', [
    { id: 'removeName', act: item('rf') },
    { id: 'removeConfirm', act: item('Remove') },
  ]);
  assert.strictEqual(removed.status, 'changed', removed.message);
  const result = await runCommand(a, 'gto.commit', [
    { id: 'commitMessage', act: (input) => assert.strictEqual(input.activeItems[0]?.label, 'Remove annotation for artifact `rf`') },
  ]);
  assert.strictEqual(result.status, 'committed', result.message);
  assert.strictEqual(git('log', '-1', '--format=%s'), 'Remove annotation for artifact `rf`');
  assert.strictEqual(git('show', '--name-only', '--format=', 'HEAD'), 'artifacts.yaml');
  assert.deepStrictEqual(otherChanges(), others);
  assert.strictEqual(doc.isDirty, false);
});

test('trusted', 'Annotate, commit and push pushes to the upstream branch', async () => {
  const a = await api();
  const result = await runCommand(a, 'gto.annotate', [
    INTO_ARTIFACTS_YAML,
    { id: 'name', act: value('segments') },
    { id: 'type', act: item('dataset') },
    { id: 'path', act: item('No path (virtual)') },
    { id: 'labels', act: checked([]) },
    { id: 'description', act: value('Customer segments') },
    { id: 'followUp', act: item('Annotate, commit and push') },
  ]);
  assert.strictEqual(result.status, 'committed', result.message);
  assert.match(result.message, /^Annotated segments; committed [0-9a-f]{7} and pushed$/);
  assert.strictEqual(git('log', '-1', '--format=%s'), 'Annotate artifact `segments` of type `dataset`');
  assert.strictEqual(git('rev-parse', 'origin/main'), git('rev-parse', 'HEAD'));
  assert.strictEqual(git('ls-remote', 'origin', 'refs/heads/main').split(/\s+/)[0], git('rev-parse', 'HEAD'));
});

/**
 * Runs a registry command whose prompts `driving` answers. The command ends when its result notification (with
 * Push) is dismissed: once `tag` exists, the notification is closed.
 */
async function runUntilTag(driving, tag, command, ...args) {
  driving.catch(() => undefined);
  const running = vscode.commands.executeCommand(command, ...args);
  const seen = await driving;
  await waitFor(`the tag ${tag}`, () => git('tag', '-l', tag) === tag);
  await sleep(300);
  await vscode.commands.executeCommand('notifications.clearAll');
  const result = await running;
  console.log(`${command}: prompts ${seen.join(', ')} -> ${JSON.stringify(result)}`);
  return result;
}

async function codeLenses(doc) {
  return (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', doc.uri, 100)) ?? [];
}

test('trusted', 'Register version... from the code lens creates GTO\'s annotated tag and the lens shows it', async () => {
  const a = await api();
  const { doc } = await openArtifacts();
  const line = lineOf(doc, 'churn:');
  const onChurn = async () => (await codeLenses(doc)).filter((l) => l.range.start.line === line && l.command);
  const lenses = await waitFor('the code lenses on churn', async () => {
    const found = await onChurn();
    return found.length === 4 ? found : undefined;
  });
  assert.deepStrictEqual(
    lenses.map((l) => l.command.title),
    ['v0.1.0 · prod: v0.1.0 · staging: v0.1.0', 'Register version...', 'Assign stage...', 'Deprecate...'],
  );
  const lens = lenses[1];
  assert.strictEqual(lens.command.command, 'gto.register');
  assert.deepStrictEqual(lens.command.arguments, [{ repository: root(), name: 'churn' }]);
  const driving = drive(a, [
    { id: 'version', act: item('v0.1.1') },
    {
      id: 'confirm',
      act: (input) => {
        assert.match(input.placeholder, /^Create the tag churn@v0\.1\.1 at HEAD \([0-9a-f]{7}\)\?/);
        assert.deepStrictEqual(input.items.map((i) => i.label), ['Create churn@v0.1.1', 'Create churn@v0.1.1 and push']);
        input.activeItems = [input.items[0]];
      },
    },
  ]);
  const result = await runUntilTag(driving, 'churn@v0.1.1', lens.command.command, ...lens.command.arguments);
  assert.strictEqual(result.status, 'created', result.message);
  assert.deepStrictEqual(result.tags, ['churn@v0.1.1']);
  assert.strictEqual(git('cat-file', '-t', 'churn@v0.1.1'), 'tag');
  assert.strictEqual(git('rev-parse', 'churn@v0.1.1^{commit}'), git('rev-parse', 'HEAD'));
  assert.strictEqual(git('tag', '-l', '--format=%(contents)', 'churn@v0.1.1').trim(), 'Registering artifact churn version v0.1.1');
  assert.strictEqual(git('ls-remote', '--tags', 'origin', 'churn@v0.1.1'), '', 'not pushed');
  await waitFor('the code lens to show v0.1.1', async () =>
    (await onChurn())[0]?.command.title === 'v0.1.1 · prod: v0.1.0 · staging: v0.1.0',
  );
});

test('trusted', 'Register version...: a typed version GTO refuses keeps the prompt open and says why', async () => {
  const a = await api();
  let shown;
  const sub = a.prompter.onDidShow((s) => {
    shown = s;
  });
  try {
    const running = vscode.commands.executeCommand('gto.register', { repository: root(), name: 'churn' });
    await waitFor('the version prompt', () => shown?.id === 'version');
    const qp = shown.input;
    const tags = git('tag', '-l');
    for (const [typed, why] of [
      ['1.4', /^'1\.4' is not a version GTO accepts: "v" and a SemVer 2\.0 version/],
      ['v0.1.0', /^v0\.1\.0 is registered already \(commit [0-9a-f]{7}\): choose another version$/],
    ]) {
      qp.value = typed;
      const refused = await waitFor(`the item for '${typed}'`, () => qp.items.find((i) => i.label.endsWith(typed) && i.detail));
      assert.match(refused.detail, why);
      await sleep(150);
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await sleep(300);
      assert.strictEqual(a.prompter.current?.input, qp, `the version prompt is still open after Enter on '${typed}'`);
    }
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.strictEqual((await running).status, 'cancelled');
    assert.strictEqual(git('tag', '-l'), tags, 'no tag');
  } finally {
    sub.dispose();
  }
});

test('trusted', "Explorer: Assign Stage... on an artifact's path finds the artifact and creates GTO's stage tag", async () => {
  const a = await api();
  const latest = (await a.server.registryState(root(), 'churn')).latest;
  const counter = 1 + Math.max(...git('tag', '-l', 'churn#*').split('\n').map((t) => Number(/#(\d+)$/.exec(t)?.[1] ?? 0)));
  const tag = `churn#prod#${counter}`;
  const driving = drive(a, [
    {
      id: 'stage',
      act: (input) => {
        assert.deepStrictEqual(input.items.map((i) => [i.label, i.description]), [['prod', 'now v0.1.0'], ['staging', 'now v0.1.0']]);
        input.activeItems = [input.items[0]];
      },
    },
    { id: 'assignVersion', act: (input) => assert.strictEqual(input.activeItems[0]?.label, latest) },
    { id: 'confirm', act: (input) => assert.match(input.placeholder, new RegExp(`^Create the tag ${tag} \\(stage 'prod'\\)\\?`)) },
  ]);
  const file = vscode.Uri.file(path.join(root(), 'models', 'churn.pkl'));
  const result = await runUntilTag(driving, tag, 'gto.assignFromExplorer', file);
  assert.strictEqual(result.status, 'created', result.message);
  assert.strictEqual(git('cat-file', '-t', tag), 'tag');
  assert.strictEqual(git('tag', '-l', '--format=%(contents)', tag).trim(), `Assigning stage prod to artifact churn version ${latest}`);
  assert.strictEqual((await a.server.registryState(root(), 'churn')).stages.prod, latest);
});

// ---------------------------------------------------------------- the Registry view

/** The Registry view's nodes under `parent` (the top when absent), as the tree gets them. */
function viewNodes(a, parent) {
  return a.registry.model.children(parent);
}

function itemOf(a, node) {
  const item = a.registry.tree.getTreeItem(node);
  return { label: typeof item.label === 'string' ? item.label : item.label.label, description: item.description ?? '', item };
}

async function artifactNode(a, name) {
  const found = (await viewNodes(a)).find((n) => n.kind === 'artifact' && n.artifact.name === name);
  assert.ok(found, `the Registry view lists ${name}`);
  return found;
}

async function versionNodeOf(a, artifact, version) {
  const found = (await viewNodes(a, artifact)).find((n) => n.kind === 'version' && n.version.version === version);
  assert.ok(found, `${artifact.artifact.name} ${version} in the Registry view`);
  return found;
}

test('trusted', "Registry view: the GTO container lists the demo's artifacts (every annotations file and the tags) with type, latest version and stages", async () => {
  const a = await api();
  await vscode.commands.executeCommand('workbench.view.extension.gto');
  await waitFor('the Registry view to be visible', () => a.registry.tree.view.visible);
  const churnState = await a.server.registryState(root(), 'churn');
  const top = await waitFor('the artifacts', async () => {
    const nodes = await viewNodes(a);
    return nodes.some((n) => n.kind === 'artifact') ? nodes : undefined;
  });
  const rows = Object.fromEntries(top.filter((n) => n.kind === 'artifact').map((n) => [n.artifact.name, itemOf(a, n).description]));
  console.log(`Registry view: ${JSON.stringify(rows)}`);
  // artifacts.yaml's, dvc.yaml's, the nested models/fraud/dvc.yaml's (folder:name), and segments (annotated as a
  // dataset by the explorer test above; its tag comes from the demo).
  for (const name of ['churn', 'fraud', 'customers', 'forecast', 'recommender', 'models/fraud:fraud', 'segments']) {
    assert.ok(name in rows, `${name} is listed (${Object.keys(rows).join(', ')})`);
  }
  assert.strictEqual(rows.churn, `model · ${churnState.latest} · prod, staging`);
  assert.strictEqual(rows.recommender, 'model · v1.0.0');
  assert.strictEqual(rows.fraud, 'model · not registered');
  assert.strictEqual(itemOf(a, await artifactNode(a, 'churn')).item.iconPath.id, 'package');
});

test('trusted', 'Registry view: filter by stage, then search through the prompt; the description says it; clear', async () => {
  const a = await api();
  const names = async () => (await viewNodes(a)).map((n) => (n.kind === 'artifact' ? n.artifact.name : `(${n.text})`));
  try {
    await vscode.commands.executeCommand('gto.registry.filter', { stage: 'staging' });
    assert.deepStrictEqual(await names(), ['churn']);
    assert.strictEqual(a.registry.tree.view.description, 'stage: staging');
    const driving = drive(a, [{ id: 'filter', act: value('segm') }]);
    const filter = await vscode.commands.executeCommand('gto.registry.filter');
    await driving;
    assert.deepStrictEqual(filter, { stage: 'staging', text: 'segm' });
    assert.strictEqual(a.registry.tree.view.description, '"segm" · stage: staging');
    assert.match((await names())[0], /^\(No artifact matches "segm" · stage: staging/);
    await vscode.commands.executeCommand('gto.registry.filter', { text: 'segm' });
    assert.deepStrictEqual(await names(), ['segments']);
  } finally {
    await vscode.commands.executeCommand('gto.registry.clearFilter');
  }
  assert.strictEqual(a.registry.tree.view.description, undefined);
  assert.ok((await names()).includes('segments') && (await names()).includes('churn'));
});

test('trusted', 'Registry view: an artifact expands to its versions, a version to its tag events; its tooltip is the version details', async () => {
  const a = await api();
  const churn = await artifactNode(a, 'churn');
  await a.registry.tree.view.reveal(churn, { expand: true, select: true });
  const versions = await viewNodes(a, churn);
  const labels = versions.map((n) => `${itemOf(a, n).label} | ${itemOf(a, n).description}`);
  console.log(`churn's versions: ${JSON.stringify(labels)}`);
  // v0.1.0 keeps its prod assignment after prod moved to v0.1.1 (GTO unassigns nothing by itself).
  assert.ok(labels.some((l) => /^v0\.1\.0 \| staging\b/.test(l)), labels.join('; '));
  const v010 = await versionNodeOf(a, churn, 'v0.1.0');
  await a.registry.tree.view.reveal(v010, { expand: true });
  const events = (await viewNodes(a, v010)).map((n) => itemOf(a, n));
  assert.deepStrictEqual(
    events.map((e) => e.label).filter((l) => ['registered', 'assigned staging'].includes(l)),
    ['assigned staging', 'registered'],
    'newest first',
  );
  const registered = events.find((e) => e.label === 'registered');
  assert.match(registered.description, /^Demo User · \d+ (month|year|week|day)s? ago$/);
  assert.match(registered.item.tooltip.value, /2026-01-06 10:00:00 UTC/);
  assert.match(registered.item.tooltip.value, /Registering artifact churn version v0\.1\.0/);
  const resolved = await a.registry.tree.resolveTreeItem(itemOf(a, v010).item, v010);
  const details = resolved.tooltip.value;
  console.log(`churn v0.1.0's details:\n${details}`);
  assert.match(details, /Demo User/);
  assert.match(details, new RegExp(git('rev-parse', '--short=7', 'churn@v0.1.0^{commit}')));
});

test('trusted', 'Registry view: the history panel opens with the rows of gto history, newest first', async () => {
  const a = await api();
  const churn = await artifactNode(a, 'churn');
  const r = await vscode.commands.executeCommand('gto.registry.history', churn);
  const open = a.registry.history.last;
  assert.ok(open && r.rows === open.rows.length && r.rows >= 3, JSON.stringify(r));
  assert.ok(open.rows.every((row) => row.artifact === 'churn'));
  const times = open.rows.map((row) => Date.parse(row.timestamp));
  assert.deepStrictEqual([...times].sort((x, y) => y - x), times, 'newest first');
  assert.strictEqual(open.rows.at(-1).ref, 'churn@v0.1.0');
  const html = open.panel.webview.html;
  assert.match(html, /<table aria-label="History of churn">/);
  assert.strictEqual((html.match(/<tr data-index=/g) ?? []).length, open.rows.length);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'; style-src 'nonce-/);
  await waitFor('the history panel to be visible', () => open.panel.visible);
  const all = await vscode.commands.executeCommand('gto.registry.history');
  assert.ok(a.registry.history.last.rows.some((row) => row.artifact === 'segments'), JSON.stringify(all));
  a.registry.history.last.panel.dispose();
  open.panel.dispose();
});

test('trusted', 'Registry view: open files at a version, and compare two versions in a diff editor', async () => {
  const a = await api();
  const churn = await artifactNode(a, 'churn');
  const latest = (await a.server.registryState(root(), 'churn')).latest;
  const v010 = await versionNodeOf(a, churn, 'v0.1.0');
  const opened = await vscode.commands.executeCommand('gto.registry.openAtVersion', v010);
  console.log(`opened at v0.1.0: ${JSON.stringify(opened)}`);
  assert.ok(opened.length >= 1 && opened[0].startsWith('gto-git:'), JSON.stringify(opened));
  const annotations = await vscode.workspace.openTextDocument(vscode.Uri.parse(opened[0]));
  assert.match(annotations.getText(), /^churn:$/m);
  assert.strictEqual(annotations.getText().trimEnd(), git('show', `churn@v0.1.0^{commit}:artifacts.yaml`));
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  const top = await versionNodeOf(a, churn, latest);
  const comparison = await runCommand(a, 'gto.registry.compare', [{ id: 'compareWith', act: item('v0.1.0') }], top);
  assert.strictEqual(comparison.title, `churn v0.1.0 ↔ ${latest}`);
  const tab = await waitFor('the diff editor', () => {
    const t = vscode.window.tabGroups.activeTabGroup.activeTab;
    return t?.input instanceof vscode.TabInputTextDiff ? t : undefined;
  });
  assert.strictEqual(tab.label, comparison.title);
  const left = await vscode.workspace.openTextDocument(tab.input.original);
  const right = await vscode.workspace.openTextDocument(tab.input.modified);
  console.log(`compare: left\n${left.getText()}\nright\n${right.getText()}`);
  assert.strictEqual(left.getText(), (await a.server.versionDetails(root(), 'churn', 'v0.1.0')).text);
  assert.strictEqual(right.getText(), (await a.server.versionDetails(root(), 'churn', latest)).text);
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
});

test('trusted', 'Registry view: copy a version\'s tag and version; reveal an artifact in its annotations file', async () => {
  const a = await api();
  const churn = await artifactNode(a, 'churn');
  const v010 = await versionNodeOf(a, churn, 'v0.1.0');
  await vscode.commands.executeCommand('gto.registry.copyTag', v010);
  assert.strictEqual(await vscode.env.clipboard.readText(), 'churn@v0.1.0');
  await vscode.commands.executeCommand('gto.registry.copyVersion', v010);
  assert.strictEqual(await vscode.env.clipboard.readText(), 'v0.1.0');
  const uri = await vscode.commands.executeCommand('gto.registry.revealAnnotation', churn);
  assert.strictEqual(uri, artifactsUri().toString());
  const editor = vscode.window.activeTextEditor;
  assert.strictEqual(editor.document.uri.toString(), artifactsUri().toString());
  assert.strictEqual(editor.selection.start.line, lineOf(editor.document, 'churn:'));
  assert.strictEqual(editor.document.getText(editor.selection), 'churn');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
});

test('trusted', 'Registry view: register from a node, then assign from a node; the view shows the new tags', async () => {
  const a = await api();
  const segments = await artifactNode(a, 'segments');
  const registering = drive(a, [
    { id: 'version', act: item('v0.0.2') },
    { id: 'confirm', act: (input) => (input.activeItems = [input.items[0]]) },
  ]);
  const registered = await runUntilTag(registering, 'segments@v0.0.2', 'gto.registry.register', segments);
  assert.strictEqual(registered.status, 'created', registered.message);
  await waitFor('segments v0.0.2 in the view', async () => itemOf(a, await artifactNode(a, 'segments')).description === 'dataset · v0.0.2');
  const assigning = drive(a, [
    { id: 'stage', act: item('staging') },
    { id: 'assignVersion', act: (input) => assert.strictEqual(input.activeItems[0]?.label, 'v0.0.2') },
    { id: 'confirm', act: (input) => (input.activeItems = [input.items[0]]) },
  ]);
  const assigned = await runUntilTag(assigning, 'segments#staging#1', 'gto.registry.assign', await artifactNode(a, 'segments'));
  assert.strictEqual(assigned.status, 'created', assigned.message);
  await waitFor('segments in staging in the view', async () => itemOf(a, await artifactNode(a, 'segments')).description === 'dataset · v0.0.2 · staging');
  const v002 = await versionNodeOf(a, await artifactNode(a, 'segments'), 'v0.0.2');
  assert.strictEqual(itemOf(a, v002).description, 'staging · latest');
});

test('trusted', 'Registry view: tags made outside the editor (git tag -a) show without a refresh (gto/registryChanged); a tag-only artifact is marked', async () => {
  const a = await api();
  assert.strictEqual(itemOf(a, await artifactNode(a, 'recommender')).description, 'model · v1.0.0');
  const changes = [];
  const sub = a.registry.model.onDidChange((r) => changes.push(r));
  try {
    git('tag', '-a', 'recommender@v1.1.0', '-m', 'Registering artifact recommender version v1.1.0');
    git('tag', '-a', 'legacy@v2.0.0', '-m', 'Registering artifact legacy version v2.0.0');
    await waitFor('recommender v1.1.0 in the view', async () => itemOf(a, await artifactNode(a, 'recommender')).description === 'model · v1.1.0', 30000);
    const legacy = itemOf(a, await artifactNode(a, 'legacy'));
    assert.strictEqual(legacy.description, 'v2.0.0 · tags only');
    assert.strictEqual(legacy.item.iconPath.id, 'tag');
    assert.ok(changes.length >= 1, 'the model was told by the server');
    console.log(`refreshes after git tag -a: ${JSON.stringify(changes)}`);
  } finally {
    sub.dispose();
  }
});

// ---------------------------------------------------------------- restricted mode

test('restricted', 'Restricted Mode: the server runs untrusted', async () => {
  assert.strictEqual(vscode.workspace.isTrusted, false);
  const a = await api();
  const ctx = await a.server.context(root());
  assert.strictEqual(ctx.trusted, false, 'the server was started with trusted: false');
});

test('restricted', 'Restricted Mode: Commit artifacts.yaml is refused, saying why', async () => {
  await api();
  const result = await vscode.commands.executeCommand('gto.commit');
  assert.strictEqual(result.status, 'commitRefused');
  assert.match(result.message, /not trusted/);
});

test('restricted', 'Restricted Mode: annotate works, its commit is refused', async () => {
  const a = await api();
  const { doc } = await openArtifacts();
  const head = git('rev-parse', 'HEAD');
  const result = await runCommand(a, 'gto.annotate', ANNOTATE_RF('Annotate and commit', { pick: false, mustExist: 'Virtual' }));
  assert.strictEqual(result.status, 'commitRefused', result.message);
  assert.match(result.message, /not trusted/);
  assert.match(doc.getText(), /^rf:$/m, 'the annotation is in the buffer');
  assert.strictEqual(git('rev-parse', 'HEAD'), head, 'no commit');
});

test('restricted', 'Restricted Mode: no registry code lenses; Register Version... is refused, saying why', async () => {
  await api();
  const { doc } = await openArtifacts();
  await sleep(1000);
  const lenses = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', doc.uri)) ?? [];
  assert.deepStrictEqual(lenses.map((l) => l.command?.title), []);
  const head = git('tag', '-l');
  const result = await vscode.commands.executeCommand('gto.register', { repository: root(), name: 'churn' });
  assert.strictEqual(result.status, 'refused');
  assert.match(result.message, /not trusted/);
  assert.strictEqual(git('tag', '-l'), head, 'no tag');
});

test('restricted', 'Restricted Mode: the Registry view is empty, so its welcome text says why', async () => {
  const a = await api();
  assert.deepStrictEqual(await a.registry.model.children(), []);
});

exports.run = async function run() {
  const mode = process.env.GTO_EDITOR_TEST === 'restricted' ? 'restricted' : 'trusted';
  const failures = [];
  for (const t of suites[mode]) {
    const start = Date.now();
    try {
      await Promise.race([
        t.fn(),
        sleep(90000).then(() => {
          throw new Error('test timed out after 90 s');
        }),
      ]);
      console.log(`GTO_TEST ${JSON.stringify({ name: t.name, ok: true, ms: Date.now() - start })}`);
    } catch (err) {
      failures.push(t.name);
      console.log(`GTO_TEST ${JSON.stringify({ name: t.name, ok: false, ms: Date.now() - start, error: String(err && err.stack ? err.stack : err) })}`);
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      // Leave no unsaved edit behind for the next test.
      for (const doc of vscode.workspace.textDocuments.filter((d) => d.isDirty && d.uri.scheme === 'file')) {
        await revertFile(doc.uri).catch(() => undefined);
      }
    }
  }
  if (failures.length) {
    throw new Error(`${failures.length} failed: ${failures.join('; ')}`);
  }
};
