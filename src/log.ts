// Logging: one line per event on stderr, `haas: LEVEL message`. Never pass secrets here.
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
/** A log level, from the most verbose. */
export type LogLevel = keyof typeof LEVELS;

/** A logger that writes lines at or above its level to stderr. */
export interface Logger {
  debug(msg: string): void; info(msg: string): void; warn(msg: string): void; error(msg: string): void;
}

/** Make a logger for the given minimum level. */
export function createLogger(level: LogLevel = 'info'): Logger {
  const min = LEVELS[level];
  const at = (l: LogLevel) => (msg: string) => {
    if (LEVELS[l] >= min) process.stderr.write(`${new Date().toISOString()} haas: ${l.toUpperCase()} ${msg}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
