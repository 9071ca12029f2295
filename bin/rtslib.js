#!/usr/bin/env node
// The `rtslib` command: runs the compiled CLI (dist/cli/main.js) and exits
// with its code. A failure to load it (package not built, native addon
// missing) is reported like any other error: one line, exit code 1.
process.stdout.on('error', (error) => {
  // `rtslib ls | head`: the reader went away; stop quietly.
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

try {
  const { main } = await import('../dist/cli/main.js');
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`rtslib: ${message.replace(/\s*[\r\n]+\s*/g, ' ').trim()}\n`);
  process.exitCode = 1;
}
