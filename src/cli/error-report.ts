/**
 * Turns whatever a command run threw into an exit code and the one line
 * printed on stderr (`rtslib: <message>`): no stack trace, and only messages
 * the library or Node composed (they never contain CHAP passwords; config
 * values are never printed here).
 */
import { CommanderError } from 'commander';
import { operationCause } from '../errors.js';
import { RTSLibConfigError } from '../config/config-error.js';
import { ExitCode } from './exit-codes.js';

/** What to tell the user about a failed run. */
export interface ErrorReport {
  /** The process exit status. */
  exitCode: ExitCode;
  /** One line, without the `rtslib: ` prefix. */
  message: string;
  /** Further lines (each without the prefix): every problem of an invalid config, one per line. */
  details?: string[];
}

/** The failing system call of an error, from the fields Node and the library put on it (`errno`, `code`, `syscall`, `path`). */
interface SystemCall {
  code: string;
  syscall: string;
  path: string;
}

function systemCall(error: Error): SystemCall | null {
  const e = error as Error & Partial<Record<'code' | 'syscall' | 'path' | 'errno', unknown>>;
  if (typeof e.syscall !== 'string' || typeof e.path !== 'string') return null;
  if (typeof e.code === 'string') return { code: e.code, syscall: e.syscall, path: e.path };
  if (typeof e.errno === 'number') return operationCause(e.errno, e.syscall, e.path);
  return null;
}

/** Joins the lines of a message into one. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/**
 * The message of an error with its cause: the failing system call (code,
 * call, path) when the message lacks it, else the nested error's message.
 */
function describe(error: Error, depth = 0): string {
  let message = error.message || error.name;
  const call = systemCall(error);
  if (call) {
    if (!(message.includes(call.code) && message.includes(call.path))) message += ` (${call.code}, ${call.syscall} '${call.path}')`;
    return message;
  }
  const cause = error.cause;
  if (depth < 2 && cause instanceof Error) {
    // without the require stack Node lists under a module that cannot be loaded
    const nested = describe(cause, depth + 1)
      .replace(/\n\s*Require stack:[\s\S]*$/, '')
      .trim();
    if (nested && !message.includes(nested)) message += `: ${nested}`;
  }
  return message;
}

/**
 * Classifies a thrown value. `command` names the subcommand that was being
 * parsed, for the `--help` hint of usage errors.
 * @example
 * const { exitCode, message } = reportError(err, 'apply');
 * io.stderr.write(`rtslib: ${message}\n`);
 */
export function reportError(error: unknown, command?: string): ErrorReport {
  const help = `rtslib${command ? ` ${command}` : ''} --help`;
  if (error instanceof CommanderError) {
    if (error.code === 'commander.help' && error.exitCode !== 0) return { exitCode: ExitCode.Usage, message: `missing command (see '${help}')` };
    const text = oneLine(error.message.replace(/^error:\s*/, ''));
    return { exitCode: error.exitCode === 0 ? ExitCode.Success : ExitCode.Usage, message: `${text} (see '${help}')` };
  }
  if (error instanceof RTSLibConfigError) {
    const details = error.issues.length > 1 ? error.issues.map((i) => `  ${oneLine(`${i.path}: ${i.message}`)}`) : [];
    return { exitCode: ExitCode.Usage, message: oneLine(error.message), ...(details.length ? { details } : {}) };
  }
  if (error instanceof Error) return { exitCode: ExitCode.Failure, message: oneLine(describe(error)) };
  return { exitCode: ExitCode.Failure, message: oneLine(String(error)) };
}
