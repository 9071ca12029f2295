/**
 * Parsers of option values shared by the commands (commander calls them
 * with the raw value; they throw InvalidArgumentError, a usage error).
 */
import { InvalidArgumentError } from 'commander';

/** Option values that name something must not be empty. */
export function nonEmpty(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('Must not be empty.');
  return value;
}

/** A number of seconds, at least 0. */
export function seconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('Must be a number of seconds, 0 or more.');
  return n;
}

/** Collects the values of a repeatable option (`--storage-object a --storage-object b`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), nonEmpty(value)];
}

/** A whole number, 0 or more (a count). */
export function wholeNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('Must be a whole number, 0 or more.');
  return n;
}
