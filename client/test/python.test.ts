import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  candidateList,
  chooseServer,
  NoInterpreterError,
  notInEnvironment,
  parseVersion,
  pathLaunch,
  resolveInterpreter,
  serverLaunch,
} from '../src/common/python';
import { readLaunchSettings } from '../src/common/settings';

const enoent = Object.assign(new Error('spawn python3 ENOENT'), { code: 'ENOENT' });

describe('interpreter resolution', () => {
  it('parses the version snippet output', () => {
    assert.deepEqual(parseVersion('(3, 11)\n'), [3, 11]);
    assert.equal(parseVersion('Python 3.11'), undefined);
  });

  it('orders setting only when the setting is given', () => {
    assert.deepEqual(
      candidateList(['/opt/py/bin/python', '-X', 'utf8'], ['/ext/python']).map((c) => c.command),
      [['/opt/py/bin/python', '-X', 'utf8']],
    );
  });

  it('orders Python extension, python3, python without a setting', () => {
    assert.deepEqual(candidateList([], ['/ext/python']).map((c) => c.command), [['/ext/python'], ['python3'], ['python']]);
    assert.deepEqual(candidateList([], undefined).map((c) => c.command), [['python3'], ['python']]);
  });

  it('skips missing and too old interpreters', async () => {
    const seen: string[][] = [];
    const r = await resolveInterpreter(candidateList([], ['/ext/python']), async (cmd) => {
      seen.push(cmd);
      if (cmd[0] === '/ext/python') {
        return '(3, 8)\n';
      }
      if (cmd[0] === 'python3') {
        throw enoent;
      }
      return '(3, 12)\n';
    });
    assert.deepEqual(r.command, ['python']);
    assert.deepEqual(r.version, [3, 12]);
    assert.equal(seen.length, 3);
  });

  it('lists everything tried and how to fix it', async () => {
    await assert.rejects(
      resolveInterpreter(candidateList([], undefined), async (cmd) => {
        if (cmd[0] === 'python3') {
          return '(2, 7)';
        }
        throw enoent;
      }),
      (err: unknown) => {
        assert.ok(err instanceof NoInterpreterError);
        assert.match(err.message, /python3 \(PATH\): Python 2\.7 is too old/);
        assert.match(err.message, /python \(PATH\): not found/);
        assert.match(err.message, /Install Python 3\.9\+ or set "gto\.interpreter"/);
        return true;
      },
    );
  });

  it('keeps the interpreter arguments', async () => {
    const r = await resolveInterpreter(candidateList(['py', '-3.11'], undefined), async () => '(3, 11)');
    assert.deepEqual(r.command, ['py', '-3.11']);
    assert.equal(r.source, 'setting gto.interpreter');
  });
});

describe('server launch', () => {
  it('starts the server from the extension folder, never the workspace, with a safe sys.path', () => {
    const launch = serverLaunch(['/venv/bin/python', '-X', 'utf8'], '/ext', { PATH: '/usr/bin', PYTHONPATH: '/p' }, '/ext/bundled/libs', ':');
    assert.equal(launch.command, '/venv/bin/python');
    assert.deepEqual(launch.args, ['-X', 'utf8', '-m', 'gto_lsp', 'serve']);
    assert.equal(launch.cwd, '/ext');
    assert.equal(launch.env.PYTHONSAFEPATH, '1');
    assert.equal(launch.env.PYTHONPATH, '/ext/bundled/libs:/p');
    assert.equal(launch.env.PATH, '/usr/bin');
  });

  it('leaves PYTHONPATH alone without bundled libraries', () => {
    const launch = serverLaunch([], '/ext', {}, undefined, ':');
    assert.equal(launch.command, 'python3');
    assert.equal(launch.env.PYTHONPATH, undefined);
  });
});

describe('which server runs (gto.path, gto.importStrategy)', () => {
  const vars = { workspaceFolder: '/work/repo', userHome: '/home/me', env: { TOOLS: '/opt/tools' } };

  it('runs the interpreter with the chosen strategy when gto.path is empty', () => {
    assert.deepEqual(chooseServer([], 'useBundled', true, vars), { kind: 'python', strategy: 'useBundled' });
    assert.deepEqual(chooseServer([], 'fromEnvironment', false, vars), { kind: 'python', strategy: 'fromEnvironment' });
  });

  it('runs gto.path with its variables expanded in a trusted workspace', () => {
    assert.deepEqual(chooseServer(['~/.local/bin/gto-lsp', 'serve'], 'useBundled', true, vars), {
      kind: 'path',
      command: ['/home/me/.local/bin/gto-lsp', 'serve'],
    });
    assert.deepEqual(chooseServer(['${workspaceFolder}/.venv/bin/gto-lsp', '${env:TOOLS}/x', '${userHome}', 'a~b'], 'useBundled', true, vars), {
      kind: 'path',
      command: ['/work/repo/.venv/bin/gto-lsp', '/opt/tools/x', '/home/me', 'a~b'],
    });
  });

  it('refuses gto.path in an untrusted workspace: the bundled server runs and the notice says why', () => {
    const choice = chooseServer(['/usr/local/bin/gto-lsp'], 'fromEnvironment', false, vars);
    assert.equal(choice.kind, 'python');
    assert.ok(choice.kind === 'python' && choice.strategy === 'useBundled');
    assert.match(choice.kind === 'python' ? (choice.notice ?? '') : '', /Restricted Mode/);
  });

  it('falls back with a message naming the problem when gto.path cannot be expanded', () => {
    const noFolder = chooseServer(['${workspaceFolder}/gto-lsp'], 'useBundled', true, { ...vars, workspaceFolder: undefined });
    assert.ok(noFolder.kind === 'python');
    assert.match(noFolder.notice ?? '', /no folder is open/);
    const unknown = chooseServer(['${interpreter}'], 'fromEnvironment', true, vars);
    assert.ok(unknown.kind === 'python' && unknown.strategy === 'fromEnvironment');
    assert.match(unknown.notice ?? '', /\$\{interpreter\}.*does not know/);
  });

  it('tells how to install gto-lsp when the environment has none', () => {
    const message = notInEnvironment(['/venv/bin/python'], "No module named 'gto_lsp'");
    assert.match(message, /\/venv\/bin\/python -m pip install gto-lsp/);
    assert.match(message, /"useBundled"/);
    assert.match(message, /No module named 'gto_lsp'/);
  });

  it('starts gto.path from the extension folder with its arguments', () => {
    const launch = pathLaunch(['/opt/gto-lsp', 'serve'], '/ext', { PATH: '/usr/bin' });
    assert.equal(launch.command, '/opt/gto-lsp');
    assert.deepEqual(launch.args, ['serve']);
    assert.equal(launch.cwd, '/ext');
    assert.equal(launch.env.PATH, '/usr/bin');
    assert.equal(launch.env.PYTHONPATH, undefined);
  });

  it('reads the launch settings: a string path, an unknown strategy', () => {
    const read = (values: Record<string, unknown>) => readLaunchSettings((key) => values[key]);
    assert.deepEqual(read({}), { interpreter: [], path: [], importStrategy: 'useBundled' });
    assert.deepEqual(read({ path: '/opt/gto-lsp', importStrategy: 'fromEnvironment', interpreter: ['py'] }), {
      interpreter: ['py'],
      path: ['/opt/gto-lsp'],
      importStrategy: 'fromEnvironment',
    });
    assert.equal(read({ importStrategy: 'fromPath' }).importStrategy, 'useBundled');
    assert.deepEqual(read({ path: ['', 'x', 3] }).path, ['x']);
  });
});
