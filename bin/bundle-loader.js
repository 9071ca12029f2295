// Runs the command's bundle (dist/cli/rtslib.cjs, see scripts/bundle-cli.mjs)
// with a V8 code cache, so that a start does not parse and compile again the
// functions the last run of the same verb compiled (in the emulated guest,
// a tenth of a restore's time and a sixth of a save's with the bundle's
// move to one CommonJS file: bench/FINDINGS.md, section 4). Node 20 has no
// compile cache of its own for the command's code (module.enableCompileCache
// is Node 22), so the bundle runs as a vm.Script given the cache as
// cachedData.
//
// The cache is one file per verb (`restore`, `save`, ...; `other` for none),
// written after a run that exits 0 when there was none or V8 rejected it,
// in dist/cli/.code-cache/, or in the directory RTSLIB_CODE_CACHE names
// (`off` or `0`: none). Its name carries a hash of what makes it valid: the
// bundle's size, modification time, inode and device (V8 itself only checks
// the source's length), Node's version, the architecture and Node's options.
// The cache is bytecode that runs as the command, so it is read and written
// only in a directory owned by the user running the command and writable by
// no one else, and only from a regular file owned by that user. Writes go to
// a temporary file renamed into place, so concurrent runs and a kill at any
// moment leave a whole cache or none. Every failure here leaves the run
// without a cache, which is only slower: nothing about the cache is
// reported unless RTSLIB_CODE_CACHE_REPORT=1 (one line on stderr, for tests).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire } = require('node:module');

/** A temporary file older than this was left by a run that was killed while writing it. */
const STALE_TEMP_MS = 60_000;

/** A 53-bit hash of a string (cyrb53), as 14 hex digits: names a cache by what makes it valid. */
function hash53(text) {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

/**
 * The verb a cache is kept for: the first argument that is neither an
 * option nor the value of `--configfs` (the one global option that takes a
 * value: src/cli/program.ts), when it looks like a verb; `other` otherwise.
 */
function verbOf(args) {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--configfs') i++;
    else if (!args[i].startsWith('-')) return /^[a-z][a-z-]{0,23}$/.test(args[i]) ? args[i] : 'other';
  }
  return 'other';
}

/** Whether a stat names something only this user can change: owned by the effective user, not writable by group or others. */
function ownedAlone(stat) {
  return stat.uid === process.geteuid() && (stat.mode & 0o022) === 0;
}

/** The cache directory, created (mode 0700) if missing, when it is this user's alone; null when there is to be no cache. */
function cacheDirectory(bundleDir) {
  const setting = process.env.RTSLIB_CODE_CACHE;
  if (setting === 'off' || setting === '0' || typeof process.geteuid !== 'function') return null;
  const dir = setting ? path.resolve(setting) : path.join(bundleDir, '.code-cache');
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch {
    // it exists, or cannot be made: lstat decides
  }
  try {
    const stat = fs.lstatSync(dir);
    return stat.isDirectory() && ownedAlone(stat) ? dir : null;
  } catch {
    return null;
  }
}

/** The cache file's bytes, when it is a regular file of this user's alone (checked on the open file, never through a link); else undefined. */
function readCache(file) {
  let fd;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    const stat = fs.fstatSync(fd);
    return stat.isFile() && ownedAlone(stat) ? fs.readFileSync(fd) : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Writes a cache (temporary file, then rename) and removes the verb's caches for other bundles or Node versions, and temporary files left by killed runs. */
function writeCache(dir, name, verb, data) {
  const temp = path.join(dir, `${name}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(temp, data, { flag: 'wx', mode: 0o600 });
    fs.renameSync(temp, path.join(dir, name));
  } catch {
    fs.rmSync(temp, { force: true });
    return false;
  }
  try {
    for (const other of fs.readdirSync(dir)) {
      if (!other.startsWith(`${verb}-`) || other === name) continue;
      const file = path.join(dir, other);
      if (other.endsWith('.v8') || Date.now() - fs.lstatSync(file).mtimeMs > STALE_TEMP_MS) fs.rmSync(file, { force: true });
    }
  } catch {
    // another run removed a file first: what is left goes next time
  }
  return true;
}

/**
 * Runs the bundle's `main(args)` and resolves to its exit code; the cache is
 * written before it resolves when this run should write one.
 */
async function runBundle(bundle, args) {
  const source = fs.readFileSync(bundle, 'utf8');
  const bundleDir = path.dirname(bundle);
  const dir = cacheDirectory(bundleDir);
  const verb = verbOf(args);
  let name;
  let cachedData;
  if (dir) {
    const stat = fs.statSync(bundle);
    const validity = [stat.size, stat.mtimeMs, stat.ino, stat.dev, process.version, process.arch, process.execArgv.join(' '), process.env.NODE_OPTIONS ?? ''].join('\0');
    name = `${verb}-${hash53(validity)}.v8`;
    cachedData = readCache(path.join(dir, name));
  }
  // Node's CommonJS wrapper, on the bundle's first line so that its line numbers stay
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, bundleDir);
  const code = await module.exports.main(args);
  let report = !dir ? 'off' : cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  if (dir && code === 0 && report !== 'used') {
    report += writeCache(dir, name, verb, script.createCachedData()) ? ', written' : ', not written';
  }
  if (process.env.RTSLIB_CODE_CACHE_REPORT === '1') process.stderr.write(`rtslib: code cache ${verb}: ${report}\n`);
  return code;
}

module.exports = { runBundle };
