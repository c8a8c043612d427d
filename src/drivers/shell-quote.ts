// Quoting for the POSIX shell, for the drivers that hand a command line to
// one (ovs-vsctl over SSH exec, ipmitool under script(1)).

/** Quote one word for a POSIX shell (plain words stay as they are). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_.:=,/@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
