#!/usr/bin/env node
// The `rtslib` command: runs the compiled CLI, bundled into one file
// (dist/cli/rtslib.mjs, see scripts/bundle-cli.mjs), and exits with its
// code. A failure to load it (package not built, native addon missing) is
// reported like any other error: one line, exit code 1.
process.stdout.on('error', (error) => {
  // `rtslib ls | head`: the reader went away; stop quietly.
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const args = process.argv.slice(2);
try {
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    // the one answer that needs no module of ours: start-up stays close to a bare `node`
    const { readFileSync } = await import('node:fs');
    process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
  } else {
    const { main } = await import('../dist/cli/rtslib.mjs');
    process.exitCode = await main(args);
  }
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`rtslib: ${message.replace(/\s*[\r\n]+\s*/g, ' ').trim()}\n`);
  process.exitCode = 1;
}
