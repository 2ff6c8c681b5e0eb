import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { IMPORT_STRATEGIES } from '../src/common/python';

const root = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('package.json', () => {
  const commands: { command: string; title: string; category?: string }[] = pkg.contributes.commands;

  it('palette command ids never collide with server command ids (gto.server.*)', () => {
    for (const c of commands) {
      assert.ok(!c.command.startsWith('gto.server.'), c.command);
    }
  });

  it('has the documented commands', () => {
    const byId = Object.fromEntries(commands.map((c) => [c.command, c]));
    assert.equal(byId['gto.annotate']?.title, 'Annotate Artifact...');
    assert.equal(byId['gto.remove']?.title, 'Remove Artifact Annotation...');
    assert.equal(byId['gto.commit']?.title, 'Commit Annotations...');
    assert.equal(byId['gto.migrate']?.title, 'Move Annotations to dvc.yaml');
    assert.equal(byId['gto.restartServer']?.title, 'Restart Server');
    assert.equal(byId['gto.showLog']?.title, 'Show Server Log');
    assert.equal(byId['gto.annotateFromExplorer']?.title, 'GTO: Annotate as Artifact...');
    assert.equal(byId['gto.register']?.title, 'Register Version...');
    assert.equal(byId['gto.assign']?.title, 'Assign Stage...');
    assert.equal(byId['gto.deprecate']?.title, 'Deprecate...');
    assert.equal(byId['gto.registerFromExplorer']?.title, 'GTO: Register Version...');
    assert.equal(byId['gto.assignFromExplorer']?.title, 'GTO: Assign Stage...');
    assert.equal(byId['gto.deprecateFromExplorer']?.title, 'GTO: Deprecate...');
    for (const id of ['gto.annotate', 'gto.remove', 'gto.commit', 'gto.register', 'gto.assign', 'gto.deprecate', 'gto.restartServer', 'gto.showLog']) {
      assert.equal(byId[id]?.category, 'GTO', id);
    }
  });

  it('the server may name every client command it puts in code actions and code lenses (clientCommands)', () => {
    const source = fs.readFileSync(path.join(root, 'client', 'src', 'vscode', 'server.ts'), 'utf8');
    const listed = /export const CLIENT_COMMANDS = \[([^\]]*)\]/.exec(source)?.[1] ?? '';
    const ids = [...listed.matchAll(/'([^']+)'/g)].map((m) => m[1]);
    assert.deepEqual(ids, ['gto.annotate', 'gto.remove', 'gto.register', 'gto.assign', 'gto.deprecate', 'gto.migrate']);
    const declared = new Set(commands.map((c) => c.command));
    for (const id of ids) {
      assert.ok(declared.has(id as string), `${id} is declared in package.json`);
    }
  });

  it('registry commands: in the palette where there is a repository, in the explorer on artifact paths only', () => {
    const palette: { command: string; when: string }[] = pkg.contributes.menus.commandPalette;
    for (const id of ['gto.register', 'gto.assign', 'gto.deprecate']) {
      assert.match(palette.find((m) => m.command === id)?.when ?? '', /gto\.hasRepository/, id);
    }
    const explorer: { command: string; when: string }[] = pkg.contributes.menus['explorer/context'];
    for (const id of ['gto.registerFromExplorer', 'gto.assignFromExplorer', 'gto.deprecateFromExplorer']) {
      assert.equal(palette.find((m) => m.command === id)?.when, 'false', `${id} is hidden from the palette`);
      assert.match(explorer.find((m) => m.command === id)?.when ?? '', /resourcePath in gto\.artifactPaths/, id);
    }
  });

  it('hides repository commands where there is no repository', () => {
    const palette: { command: string; when: string }[] = pkg.contributes.menus.commandPalette;
    for (const id of ['gto.annotate', 'gto.remove', 'gto.commit']) {
      assert.match(palette.find((m) => m.command === id)?.when ?? '', /gto\.hasRepository/, id);
    }
  });

  it('activates on artifacts.yaml, .gto, any dvc.yaml and the language, not on all YAML', () => {
    assert.deepEqual(pkg.activationEvents, [
      'workspaceContains:artifacts.yaml',
      'workspaceContains:.gto',
      'workspaceContains:**/dvc.yaml',
      'onLanguage:gto-artifacts',
    ]);
    assert.ok(!pkg.activationEvents.includes('onLanguage:yaml'));
  });

  it('dvc.yaml stays YAML: no language of ours claims it; the server gets it by pattern', () => {
    for (const lang of pkg.contributes.languages as { filenames?: string[]; filenamePatterns?: string[] }[]) {
      assert.ok(!(lang.filenames ?? []).includes('dvc.yaml'), 'dvc.yaml is not in our language');
      assert.ok(!(lang.filenamePatterns ?? []).some((p) => p.includes('dvc')), 'no dvc pattern in our language');
    }
    // DOCUMENT_SELECTOR (client/src/vscode/server.ts imports vscode, so it is read as text here).
    const source = fs.readFileSync(path.join(root, 'client', 'src', 'vscode', 'server.ts'), 'utf8');
    const selector = /export const DOCUMENT_SELECTOR = \[([\s\S]*?)\];/.exec(source)?.[1] ?? '';
    const entries = selector.split('\n').filter((l) => l.trim().startsWith('{'));
    const dvc = entries.filter((l) => l.includes('dvc.yaml'));
    assert.deepEqual(dvc.map((l) => l.trim()), ["{ scheme: 'file', pattern: '**/dvc.yaml' },"]);
    assert.ok(!entries.some((l) => /language: 'yaml'/.test(l)), 'never all YAML documents');
  });

  it('the explorer entry is not offered on the annotation files themselves', () => {
    const explorer: { command: string; when: string }[] = pkg.contributes.menus['explorer/context'];
    const when = explorer.find((m) => m.command === 'gto.annotateFromExplorer')?.when ?? '';
    for (const f of ['artifacts.yaml', 'dvc.yaml', 'dvc.lock', '.gto']) {
      assert.ok(when.includes(`resourceFilename != ${f}`), f);
    }
    assert.match(when, /resourceScheme == file/);
  });

  it('restricts the settings that choose a program to run in untrusted workspaces', () => {
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.deepEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, ['gto.interpreter', 'gto.path', 'gto.importStrategy']);
  });

  it('declares every setting with its default', () => {
    const props = pkg.contributes.configuration.properties;
    assert.deepEqual(props['gto.interpreter'].default, []);
    assert.deepEqual(props['gto.path'].default, []);
    assert.equal(props['gto.importStrategy'].default, 'useBundled');
    assert.deepEqual(props['gto.importStrategy'].enum, [...IMPORT_STRATEGIES]);
    assert.equal(props['gto.afterAnnotate'].default, 'ask');
    assert.deepEqual(props['gto.afterAnnotate'].enum, ['ask', 'commit', 'commitAndPush', 'nothing']);
    assert.equal(props['gto.checks.enable'].default, true);
    assert.equal(props['gto.checks.paths'].default, true);
    assert.equal(props['gto.checks.unknownFields'].default, true);
    assert.equal(props['gto.checks.virtualMissing'].default, 'warning');
    assert.equal(props['gto.checks.virtualMissingPath'], undefined, 'one name, the server\'s');
    assert.equal(props['gto.checks.invalidLabelOrType'].default, 'warning');
    assert.equal(props['gto.checks.foreignFiles'].default, false);
    assert.equal(props['gto.git.enabled'].default, true);
    assert.deepEqual(props['gto.trace.server'].enum, ['off', 'messages', 'verbose']);
  });

  it('pins the versions the machine can run', () => {
    assert.equal(pkg.engines.vscode, '^1.82.0');
    assert.equal(pkg.dependencies['vscode-languageclient'], '9.0.1');
    assert.equal(pkg.devDependencies['@types/vscode'], '1.82.0');
    assert.equal(pkg.extensionDependencies, undefined);
  });

  it('walks a first-time user through commands that exist, with media that ships', () => {
    const ids = new Set(commands.map((c) => c.command));
    const shipped = fs
      .readFileSync(path.join(root, '.vscodeignore'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1));
    const ships = (file: string) => shipped.some((p) => p === file || (p.endsWith('/*.md') && file.startsWith(p.slice(0, -4)) && file.endsWith('.md')));
    const [walkthrough] = pkg.contributes.walkthroughs;
    assert.ok(walkthrough.steps.length >= 4);
    const used = new Set<string>();
    for (const step of walkthrough.steps) {
      for (const m of (step.description as string).matchAll(/\(command:([\w.]+)/g)) {
        used.add(m[1] ?? '');
      }
      for (const event of step.completionEvents as string[]) {
        if (event.startsWith('onCommand:')) {
          used.add(event.slice('onCommand:'.length));
        }
      }
      const media: string = step.media.markdown ?? step.media.image;
      assert.ok(fs.existsSync(path.join(root, media)), media);
      assert.ok(ships(media), `${media} is not shipped by .vscodeignore`);
    }
    for (const id of used) {
      assert.ok(id.startsWith('workbench.') || ids.has(id), `${id} is not a command of package.json`);
    }
    assert.ok(used.has('gto.annotate') && used.has('gto.register'));
    assert.ok(walkthrough.steps.some((s: { completionEvents: string[] }) => s.completionEvents.includes('onView:gto.registry')));
  });

  it('.vscodeignore ships only the built extension, bundled, images, the walkthrough and the docs', () => {
    const lines = fs
      .readFileSync(path.join(root, '.vscodeignore'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('!'));
    for (const l of lines) {
      assert.match(l, /^!(out\/extension|bundled|images|resources\/walkthrough)\/|^!(LICENSE|README\.md|CHANGELOG\.md|package\.json)$/, l);
    }
  });
});
