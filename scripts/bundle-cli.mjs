// Writes dist/cli/rtslib.mjs: the `rtslib` command (dist/cli/main.js, as
// tsc compiled it) and everything it imports, commander and zod included,
// in one file, so a start reads one module instead of about a hundred (in
// the emulated guest, where each file is read over 9p, that is most of a
// start). The modules the command loads only when a verb needs them stay
// lazy: esbuild runs them when the bundle's dynamic import is reached. The
// native addon and node-gyp-build are not bundled. It sits in dist/cli/ as
// main.js does, so the package root is still '../../' from it.
// `npm run build:ts` runs it after tsc; bin/rtslib.js runs the bundle.
import { readdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const outdir = new URL('../dist/cli/', import.meta.url).pathname;
// chunks of an earlier build (their names carry a hash of their content)
for (const name of readdirSync(outdir)) if (/^rtslib(-[A-Z0-9]+)?\.mjs$/.test(name)) rmSync(`${outdir}${name}`);

await build({
  entryPoints: { rtslib: new URL('../dist/cli/main.js', import.meta.url).pathname },
  outdir,
  outExtension: { '.js': '.mjs' },
  // what a verb loads when it runs (the model, the planner, zod) in chunks of their own
  splitting: true,
  chunkNames: 'rtslib-[hash]',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: ['node-gyp-build', '*.node'],
  legalComments: 'inline',
  // less to parse at each start; identifiers stay, so names in messages and stacks read as in the source
  minifyWhitespace: true,
  minifySyntax: true,
  // commander is CommonJS: its require() of Node's own modules needs a require in an ES module
  banner: { js: "import { createRequire as __rtslibRequire } from 'node:module'; const require = __rtslibRequire(import.meta.url);" },
  logLevel: 'warning',
});
