// Parsing key=value arguments and JSON values given on the command line.
import { UsageError } from 'clipanion';

/** Split `key=value` (the first `=`); `what` names the option in errors. */
export function splitKeyValue(arg: string, what: string): [string, string] {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new UsageError(`${what} expects key=value, got "${arg}"`);
  return [arg.slice(0, eq), arg.slice(eq + 1)];
}

/** A JSON value given on the command line; text that is not valid JSON is taken as a string. */
export function jsonOrString(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
