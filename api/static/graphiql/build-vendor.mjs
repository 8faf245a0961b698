#!/usr/bin/env node
// Copies the prebuilt GraphiQL browser bundles from node_modules into
// api/static/graphiql/vendor/ so the Python app can serve GraphiQL with no
// internet access (nothing is fetched from a CDN at run time).
//
// Runs as the npm `postinstall` hook (so `npm ci` is enough) and as
// `npm run build:graphiql`. The vendor/ folder is generated: do not commit it.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, 'vendor');

// [npm package, file inside the package, name under vendor/]
const FILES = [
  ['react', 'umd/react.production.min.js', 'react.production.min.js'],
  ['react-dom', 'umd/react-dom.production.min.js', 'react-dom.production.min.js'],
  ['graphiql', 'graphiql.min.js', 'graphiql.min.js'],
  ['graphiql', 'graphiql.min.css', 'graphiql.min.css'],
];

function packageRoot(name) {
  // Every package here lists package.json in "exports" or has none, so this
  // resolves without importing the package itself.
  return dirname(require.resolve(`${name}/package.json`));
}

rmSync(vendor, { recursive: true, force: true });
mkdirSync(vendor, { recursive: true });

const versions = {};
for (const [pkg, src, dest] of FILES) {
  const root = packageRoot(pkg);
  copyFileSync(join(root, src), join(vendor, dest));
  versions[pkg] = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
}
writeFileSync(join(vendor, 'versions.json'), JSON.stringify(versions, null, 2) + '\n');
console.log(`graphiql vendor assets written to ${vendor}: ${JSON.stringify(versions)}`);
