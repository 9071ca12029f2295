// Writes dist/cli/rtslib.cjs: the `rtslib` command (dist/cli/main.js, as
// tsc compiled it) and everything it imports, commander and zod included,
// in one CommonJS file, so a start reads one file instead of about a
// hundred modules (in the emulated guest, where each file is read over 9p,
// that is most of a start). CommonJS, because bin/bundle-loader.js runs it
// as a vm.Script with a V8 code cache, which Node 20 offers for scripts and
// not for ES modules. The modules the command loads only when a verb needs
// them stay lazy: esbuild runs them when the verb's import() is reached,
// and V8 compiles a function only when it first runs. The native addon and
// node-gyp-build are not bundled. It sits in dist/cli/ as main.js does, so
// the package root is still '../../' from it (import.meta.url is the
// bundle's own URL). `npm run build:ts` runs it after tsc; bin/rtslib.js
// runs the bundle.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const outdir = new URL('../dist/cli/', import.meta.url).pathname;
const outfile = `${outdir}rtslib.cjs`;
// earlier builds: the ES module bundle and its chunks, and code caches of older bundles
for (const name of readdirSync(outdir)) if (/^rtslib(-[A-Z0-9]+)?\.mjs$/.test(name)) rmSync(`${outdir}${name}`);
rmSync(`${outdir}.code-cache`, { recursive: true, force: true });

await build({
  entryPoints: [new URL('../dist/cli/main.js', import.meta.url).pathname],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['node-gyp-build', '*.node'],
  legalComments: 'inline',
  // less to parse at each start; identifiers stay, so names in messages and stacks read as in the source
  minifyWhitespace: true,
  minifySyntax: true,
  define: { 'import.meta.url': '__rtslibBundleUrl' },
  banner: { js: "var __rtslibBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});

// a vm.Script without an importModuleDynamically callback cannot run import(): every import must have been bundled
if (/\bimport\(/.test(readFileSync(outfile, 'utf8'))) throw new Error(`${outfile} still has an import(): bundle the module it loads, or mark it external as a require()`);
