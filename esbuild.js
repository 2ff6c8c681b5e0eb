// Bundles the extension into out/extension/extension.js (vscode stays external) and copies the static
// language files next to it. `--tests` bundles the client unit tests into out/unit/ instead.
// (dist/ is the release's: the wheel, the sdist and the .vsix files of scripts/release.sh.)
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');

const OUT = path.join('out', 'extension');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  logLevel: 'warning',
};

function copyAssets() {
  fs.mkdirSync(OUT, { recursive: true });
  for (const f of ['language-configuration.json', 'gto-artifacts.tmLanguage.json']) {
    fs.copyFileSync(path.join('client', f), path.join(OUT, f));
  }
}

async function buildExtension() {
  const options = {
    ...common,
    entryPoints: ['client/src/extension.ts'],
    outfile: path.join(OUT, 'extension.js'),
    external: ['vscode'],
    minify: production,
    sourcemap: !production,
    sourcesContent: false,
  };
  copyAssets();
  if (watch) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
    console.log('esbuild: watching client/src');
    return;
  }
  await esbuild.build(options);
}

async function buildTests() {
  const dir = 'client/test';
  const entryPoints = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => path.join(dir, f));
  fs.rmSync('out/unit', { recursive: true, force: true });
  await esbuild.build({
    ...common,
    entryPoints,
    outdir: 'out/unit',
    // Unit tests cover the pure modules; anything importing `vscode` must not be reached.
    external: ['vscode'],
    sourcemap: 'inline',
  });
}

(args.has('--tests') ? buildTests() : buildExtension()).catch((err) => {
  console.error(err);
  process.exit(1);
});
