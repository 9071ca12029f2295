/**
 * Child processes for the native tests that need a second process: one that
 * holds a lock, or one that runs a batch and is killed mid-way.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The addon file the tests load, found the way src/native/binding.ts finds it. */
export function addonPath(): string {
  const override = process.env['RTSLIB_ADDON_PATH'];
  if (override) return resolve(override);
  const require = createRequire(import.meta.url);
  const nodeGypBuild = require('node-gyp-build') as { resolve(dir: string): string };
  return nodeGypBuild.resolve(packageRoot);
}

/**
 * Runs `script` (CommonJS) in a new node process; it finds the addon as
 * `require(process.env.RTSLIB_TEST_ADDON)` and its arguments in process.argv[1..].
 */
export function spawnAddonChild(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['-e', script, ...args], {
    env: { ...process.env, RTSLIB_TEST_ADDON: addonPath() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collects a stream's text; `until(re)` resolves with the text once it matches. */
export function collect(stream: Readable | null): { text: () => string; until: (re: RegExp, ms?: number) => Promise<string> } {
  let text = '';
  const waiters: (() => void)[] = [];
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    text += chunk;
    for (const w of waiters.splice(0)) w();
  });
  return {
    text: () => text,
    until: (re, ms = 10_000) =>
      new Promise((resolvePromise, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re} in ${JSON.stringify(text)}`)), ms);
        const check = () => {
          if (re.test(text)) {
            clearTimeout(timer);
            resolvePromise(text);
          } else {
            waiters.push(check);
          }
        };
        check();
      }),
  };
}

/** Resolves with the child's exit code and signal (at once if it has already exited). */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolvePromise) => {
    child.once('exit', (code, signal) => resolvePromise({ code, signal }));
  });
}
