// Writes man/rtslib.8 (or the file given) from the command's own help:
// `rtslib --help` and `rtslib help <command>` for each command, run
// in-process through dist/cli/main.js (build it first). `npm pack` runs it
// (prepack); the unit tests check the committed page is current.
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';

const out = process.argv[2] ?? new URL('../man/rtslib.8', import.meta.url);
const { main } = await import('../dist/cli/main.js');
const pkg = (await import('../package.json', { with: { type: 'json' } })).default;

async function help(...argv) {
  let text = '';
  const capture = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  await main(argv, { stdout: capture, stderr: capture, isTTY: false });
  return text.trimEnd();
}

/** Text set as it is: backslashes doubled, lines starting with . or ' protected. */
const verbatim = (text) => ['.nf', ...text.split('\n').map((l) => l.replace(/\\/g, '\\e').replace(/^([.'])/, '\\&$1')), '.fi'].join('\n');

const top = await help('--help');
const commands = [...top.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]).filter((c) => c !== 'help');
const sections = [
  `.TH RTSLIB 8 "" "rtslib ${pkg.version}" "System Administration"`,
  '.SH NAME',
  'rtslib \\- manage the Linux SCSI target (LIO) through configfs',
  '.SH SYNOPSIS',
  '.B rtslib',
  '[\\fIglobal options\\fR] \\fIcommand\\fR [\\fIoptions\\fR] [\\fIarguments\\fR]',
  '.SH DESCRIPTION',
  verbatim(top),
  '.SH COMMANDS',
];
for (const command of commands) sections.push(`.SS ${command}`, verbatim(await help('help', command)));
sections.push(
  '.SH ENVIRONMENT',
  '.TP',
  '.B RTSLIB_CONFIG',
  "The file save and restore use when given none (else targetctl's: /etc/rtslib-fb-target/saveconfig.json where that directory exists, else /etc/target/saveconfig.json).",
  '.TP',
  '.B RTSLIB_ADDON_PATH',
  'Load the native addon from this file instead of the bundled one.',
  '.TP',
  '.B RTSLIB_CODE_CACHE',
  'Where the command keeps its V8 code cache, one file per command, so that a start does not compile again what the last run of that command compiled (default: dist/cli/.code-cache in the package). It is used only when the directory is owned by the user running the command and writable by no one else. off or 0: no cache.',
  '.SH FILES',
  '.TP',
  '.I /var/run/targetcli.lock',
  'The lock every write and save takes, shared with targetcli.',
  '.TP',
  '.I contrib/systemd/rtslib.service',
  '(in the package) a unit that restores the configuration at boot.',
  '.SH SEE ALSO',
  '.BR targetcli (8),',
  '.BR targetctl (8)',
  '',
);
writeFileSync(out, sections.join('\n'));
