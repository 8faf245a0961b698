#!/usr/bin/env node
// Builds the dashboard: bundles dashboard/src/main.ts (and the CSS it imports) with esbuild into
// api/static/dashboard/, and copies index.html there with the bundle's hashed names filled in.
// The app serves that folder at / (api/dashboard.py). Runs from `npm ci` (postinstall) and
// `npm run build:dashboard`; the output is generated: do not commit it (.gitignore).
//
// Hashed file names (app-XXXXXXXX.js) let the server cache them for a year; index.html itself
// is never cached. Files are written next to their final place and renamed over it, so a
// server (or a concurrent test run) never reads a half-written file. Any error exits non-zero.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const out = join(root, 'api', 'static', 'dashboard');
const PUBLIC_PATH = '/dashboard';

function writeAtomically(path, contents) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

async function main() {
  const result = await build({
    entryPoints: { app: join(here, 'src', 'main.ts') },
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    format: 'esm',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    publicPath: PUBLIC_PATH,
    outdir: out,
    write: false,
    metafile: true,
    legalComments: 'linked',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  if (result.errors.length) throw new Error(`${result.errors.length} esbuild error(s)`);

  mkdirSync(out, { recursive: true });
  const written = new Set();
  for (const file of result.outputFiles) {
    writeAtomically(file.path, file.contents);
    written.add(basename(file.path));
  }
  const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
  const script = outputs.find((name) => /^app-.*\.js$/.test(name));
  const style = outputs.find((name) => /^app-.*\.css$/.test(name));
  if (!script) throw new Error('esbuild produced no app-*.js');

  let html = readFileSync(join(here, 'index.html'), 'utf8');
  const styleTag = style ? `<link rel="stylesheet" href="${PUBLIC_PATH}/${style}" />` : '';
  const scriptTag = `<script type="module" src="${PUBLIC_PATH}/${script}"></script>`;
  if (!html.includes('<!-- app:style -->') || !html.includes('<!-- app:script -->')) {
    throw new Error('dashboard/index.html lacks the <!-- app:style --> / <!-- app:script --> markers');
  }
  html = html.replace('<!-- app:style -->', styleTag).replace('<!-- app:script -->', scriptTag);
  writeAtomically(join(out, 'index.html'), html);
  written.add('index.html');

  // Drop the outputs of earlier builds (older hashes).
  for (const name of readdirSync(out)) {
    if (!written.has(name) && !name.endsWith('.tmp')) rmSync(join(out, name), { force: true });
  }
  const sizes = result.outputFiles
    .filter((f) => !f.path.endsWith('.map'))
    .map((f) => `${basename(f.path)} ${(f.contents.length / 1024).toFixed(0)} KiB`);
  console.log(`dashboard built in ${relative(root, out)}: ${sizes.join(', ')}`);
}

main().catch((error) => {
  console.error(`dashboard build failed: ${error.message ?? error}`);
  process.exit(1);
});
