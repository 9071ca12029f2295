#!/usr/bin/env node
// The `rtslib` command: runs the compiled CLI, bundled (dist/cli/rtslib.cjs,
// see scripts/bundle-cli.mjs) with a code cache (bundle-loader.js), and
// exits with its code. A failure to load it
// (package not built, native addon missing) is reported like any other
// error: one line, exit code 1. This file is CommonJS (bin/package.json):
// `--version` then answers without starting Node's ES module loader, so it
// starts as a bare `node` does.
'use strict';

process.stdout.on('error', (error) => {
  // `rtslib ls | head`: the reader went away; stop quietly.
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

function fail(error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`rtslib: ${message.replace(/\s*[\r\n]+\s*/g, ' ').trim()}\n`);
  process.exitCode = 1;
}

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // the one answer that needs no module of ours
  try {
    const manifest = require('node:fs').readFileSync(require('node:path').join(__dirname, '..', 'package.json'), 'utf8');
    process.stdout.write(`${JSON.parse(manifest).version}\n`);
  } catch (error) {
    fail(error);
  }
} else {
  require('./bundle-loader.js')
    .runBundle(require('node:path').join(__dirname, '..', 'dist', 'cli', 'rtslib.cjs'), args)
    .then((code) => {
      process.exitCode = code;
    }, fail);
}
