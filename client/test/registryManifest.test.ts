import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const root = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const c = pkg.contributes;

describe('package.json: the Registry view', () => {
  const commands: { command: string; category?: string; icon?: string }[] = c.commands;
  const ids = commands.map((x) => x.command).filter((id) => id.startsWith('gto.registry.'));
  const palette: { command: string; when: string }[] = c.menus.commandPalette;

  it('a GTO container in the activity bar holds the gto.registry view, with its icon shipped', () => {
    assert.deepEqual(c.viewsContainers.activitybar.map((v: { id: string }) => v.id), ['gto']);
    assert.deepEqual(c.views.gto.map((v: { id: string }) => v.id), ['gto.registry']);
    const icon = c.viewsContainers.activitybar[0].icon as string;
    assert.ok(fs.existsSync(path.join(root, icon)), icon);
    assert.match(fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8'), new RegExp(`^!${icon.replace('.', '\\.')}$`, 'm'));
  });

  it('every command the extension registers for the view is declared; node-only ones are hidden from the palette', () => {
    const source = fs.readFileSync(path.join(root, 'client', 'src', 'vscode', 'registryCommands.ts'), 'utf8');
    const registered = [...source.matchAll(/command\('(gto\.registry\.[A-Za-z]+)'/g)].map((m) => m[1]);
    assert.deepEqual([...registered].sort(), [...ids].sort());
    const titled = ['gto.registry.refresh', 'gto.registry.filter', 'gto.registry.clearFilter', 'gto.registry.toggleDeprecated', 'gto.registry.history'];
    for (const id of ids) {
      const when = palette.find((m) => m.command === id)?.when;
      const cmd = commands.find((x) => x.command === id);
      if (titled.includes(id)) {
        assert.equal(cmd?.category, 'GTO', id);
        assert.match(when ?? '', /gto\.hasRepository/, id);
      } else {
        assert.equal(when, 'false', `${id} is hidden from the palette`);
      }
    }
  });

  it('menus name only declared commands, inline ones have an icon, and the welcome says why the view is empty', () => {
    const declared = new Set(commands.map((x) => x.command));
    for (const where of ['view/title', 'view/item/context']) {
      for (const m of c.menus[where] as { command: string; when: string; group: string }[]) {
        assert.ok(declared.has(m.command), m.command);
        assert.match(m.when, /^view == gto\.registry( && |$)/);
        // `&&` binds tighter than `||`: an alternative outside parentheses would escape the view's condition.
        const rest = m.when.slice('view == gto.registry && '.length);
        assert.ok(!rest.includes('||') || (rest.startsWith('(') && rest.endsWith(')')), m.when);
        if (m.group.startsWith('inline') || where === 'view/title') {
          assert.ok(commands.find((x) => x.command === m.command)?.icon, `${m.command} has an icon`);
        }
      }
    }
    const welcome = (c.viewsWelcome as { view: string; when: string; contents: string }[]).filter((w) => w.view === 'gto.registry');
    assert.deepEqual(welcome.map((w) => w.when), [
      '!gto.hasRepository',
      'gto.hasRepository && !isWorkspaceTrusted',
      'gto.hasRepository && isWorkspaceTrusted && !config.gto.git.enabled',
    ]);
  });
});
