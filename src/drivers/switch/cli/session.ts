// The session engine of the CLI dialects: one SSH shell per switch, kept
// across batches. It logs in (answering `User Name:` / `Password:` dialogs
// and `enable` where the switch asks), learns the prompt, turns paging off,
// then per batch: reads each touched port, enters config mode, runs each
// change's command templates and checks EVERY command's output against the
// dialect's error patterns. A rejected command fails only its change, and
// the port is put back as it was (so the inventory, unchanged, matches the
// switch). The batch ends with one save whose success is checked; if the
// save fails, the batch's changes are undone and reported as failed. When
// the session is lost while a change's commands were being sent, that change
// is uncertain (the worker reads its port back); the changes after it were
// not sent; a switch that cannot be reached or logged in to got nothing.
import { messageOf } from '../../../errors.js';
import type { FieldValues } from '../../fields.js';
import { rememberingFirstKey, SshConnection, SshError, type SshTarget } from '../ssh.js';
import { afterChange, carriesExactly } from '../vlan-state.js';
import { SwitchUnreachableError, type ChangeResult, type DiscoveredInterface, type HostKeyPolicy, type MacEntry, type PortChange, type PortVlans, type SwitchSession } from '../types.js';
import { COMMON_ERRORS, type Dialect, type Template } from './dialect.js';
import { CliShell, ShellError } from './shell.js';

/** The switch refused a command, in its own words. Only the change at hand fails. */
export class CommandRejected extends Error {
  override name = 'CommandRejected';
}

/** How long the engine waits: to log in, for one command, for the save. */
export interface CliTimeouts { connectMs: number; commandMs: number; saveMs: number }

const ANY_PROMPT = /(?:^|\n)([A-Za-z0-9][A-Za-z0-9._-]*)(\([^)\n]*\))?([#>]) ?$/;
const USER_NAME = /(User ?Name|Username|login) ?: ?$/i;
const PASSWORD = /Password ?: ?$/i;

function escapeRe(s: string): string { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }

/** One logged-in CLI: the connection, its shell, the prompt, and whether it is in config mode. */
interface Cli { conn: SshConnection; shell: CliShell; prompt: RegExp; configMode: boolean }

/** The changes that take a port from `from` to `to` (tagged removals, native, tagged additions: OS9 needs that order). */
function changesBetween(port: string, from: PortVlans, to: PortVlans): PortChange[] {
  const out: PortChange[] = [];
  if (from.anomaly !== undefined) { out.push({ kind: 'revert', port }); from = { native: null, tagged: [] }; }
  for (const v of from.tagged) if (!to.tagged.includes(v)) out.push({ kind: 'modify', port, channel: { native: false, vlan: v }, vlan: null });
  if (from.native !== to.native) out.push({ kind: 'modify', port, channel: { native: true }, vlan: to.native });
  for (const v of to.tagged) if (!from.tagged.includes(v)) out.push({ kind: 'modify', port, channel: { native: false, vlan: v }, vlan: v });
  return out;
}

/** A session with one CLI switch; reused across batches, reconnected after a failure. */
export class CliSession implements SwitchSession {
  private cli: Cli | null = null;
  /** Changes are in the running configuration but not saved yet (a batch broke off before its save). */
  private unsaved = false;
  /** The change of the batch whose commands are being sent (or its port put back), if any. */
  private inFlight: number | null = null;
  private readonly errors: RegExp[];
  private readonly hostKey: HostKeyPolicy | undefined;

  constructor(
    private readonly label: string,
    private readonly fields: FieldValues,
    private readonly dialect: Dialect,
    private readonly timeouts: CliTimeouts,
    hostKey?: HostKeyPolicy,
  ) {
    this.errors = [...COMMON_ERRORS, ...dialect.errors];
    // Reconnections are checked against the key the first login recorded.
    this.hostKey = hostKey && rememberingFirstKey(hostKey);
  }

  private get target(): SshTarget {
    return {
      host: String(this.fields.hostname), port: Number(this.fields.port ?? 22), username: String(this.fields.username), password: String(this.fields.password),
      ...(this.hostKey !== undefined ? { hostKey: this.hostKey } : {}),
    };
  }

  private get where(): string { return `switch "${this.label}" (${this.fields.hostname}:${this.fields.port ?? 22})`; }

  /** A message safe to show: never the password, even if a switch echoes it. */
  private scrub(text: string): string {
    const pw = String(this.fields.password ?? '');
    return pw.length >= 3 ? text.split(pw).join('****') : text;
  }

  // --- connection -----------------------------------------------------------

  private async connection(): Promise<Cli> {
    if (this.cli && this.cli.conn.failure === null && this.cli.shell.failure === null) return this.cli;
    this.drop();
    const t = this.target;
    const conn = await SshConnection.open(t, this.timeouts.connectMs);
    try {
      const shell = new CliShell(await conn.shell(this.timeouts.connectMs), this.where);
      const cli = await this.login(conn, shell);
      this.cli = cli;
      for (const cmd of this.dialect.pagingOff) {
        await this.exchange(cli, cmd, this.timeouts.commandMs); // refused: `--More--` pages are turned anyway
      }
      if (this.dialect.onConnect) {
        await this.enterConfig(cli);
        for (const cmd of this.expand(this.dialect.onConnect, null, { native: null, tagged: [] }, null)) {
          await this.command(cli, cmd).catch((e: unknown) => {
            throw e instanceof CommandRejected ? new ShellError(`${this.where}: preparing the session failed: ${e.message}`) : e;
          });
        }
        await this.leaveConfig(cli);
      }
      return cli;
    } catch (e) {
      this.cli = null;
      conn.close();
      throw e;
    }
  }

  /** Answer the login dialog, learn the prompt, and reach privileged mode. */
  private async login(conn: SshConnection, shell: CliShell): Promise<Cli> {
    const wait = this.timeouts.connectMs;
    let answered = 0;
    for (;;) {
      const r = await shell.expect([ANY_PROMPT, USER_NAME, PASSWORD], wait, 'logging in');
      if (r.index === 0) {
        const host = r.match[1]!;
        const cli: Cli = { conn, shell, prompt: new RegExp(`(?:^|\\n)${escapeRe(host)}(\\([^)\\n]*\\))?([#>]) ?$`), configMode: false };
        if (r.match[3] === '>') await this.enable(cli);
        return cli;
      }
      if (++answered > 3) throw new SshError(`${this.where} refused the CLI login as ${this.target.username} (wrong username or password?)`);
      shell.write((r.index === 1 ? this.target.username : this.target.password) + '\n');
    }
  }

  private async enable(cli: Cli): Promise<void> {
    cli.shell.write('enable\n');
    let r = await cli.shell.expect([cli.prompt, PASSWORD], this.timeouts.commandMs, 'enable');
    if (r.index === 1) {
      cli.shell.write(`${this.target.password}\n`);
      r = await cli.shell.expect([cli.prompt, PASSWORD], this.timeouts.commandMs, 'enable');
    }
    if (r.index !== 0 || r.match[2] !== '#') throw new SshError(`${this.where}: user ${this.target.username} cannot enter privileged mode (enable refused)`);
  }

  /** Forget the connection (after a failure, or on close). */
  private drop(): void {
    const cli = this.cli;
    this.cli = null;
    if (cli) { cli.shell.close(); cli.conn.close(); }
  }

  // --- commands -------------------------------------------------------------

  /** Send one command, answer the dialect's confirmation question, and return its output (without the echo). */
  private async exchange(cli: Cli, cmd: string, timeoutMs: number, confirm?: { question: RegExp; answer: string }): Promise<string> {
    cli.shell.write(cmd + '\n');
    const patterns = confirm ? [cli.prompt, confirm.question] : [cli.prompt];
    let text = '';
    for (;;) {
      const r = await cli.shell.expect(patterns, timeoutMs, `"${cmd}"`);
      text += r.before + (r.index === 1 ? r.match[0] : '');
      if (r.index === 0) {
        cli.configMode = /conf/i.test(r.match[1] ?? '');
        break;
      }
      cli.shell.write(confirm!.answer);
    }
    const lines = text.split('\n');
    if (lines[0] !== undefined && lines[0].trim().endsWith(cmd.trim())) lines.shift();
    return lines.join('\n');
  }

  /** The switch's words if `output` is an error reply, else null. */
  private rejection(output: string): string | null {
    if (!this.errors.some((re) => re.test(output))) return null;
    const words = output.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^\^$/.test(l)).join(' ');
    return this.scrub(words.slice(0, 500));
  }

  /** Run one command; CommandRejected with the switch's words if it refused. */
  private async command(cli: Cli, cmd: string, timeoutMs = this.timeouts.commandMs): Promise<string> {
    const out = await this.exchange(cli, cmd, timeoutMs);
    const refused = this.rejection(out);
    if (refused !== null) throw new CommandRejected(`${this.where} rejected "${cmd}": ${refused}`);
    return out;
  }

  private async enterConfig(cli: Cli): Promise<void> {
    if (cli.configMode) return;
    await this.command(cli, this.dialect.configure);
    if (!cli.configMode) throw new CommandRejected(`${this.where} did not enter config mode after "${this.dialect.configure}"`);
  }

  private async leaveConfig(cli: Cli): Promise<void> {
    if (!cli.configMode) return;
    await this.command(cli, this.dialect.end);
    if (cli.configMode) throw new ShellError(`${this.where} stayed in config mode after "${this.dialect.end}"`);
  }

  /** The commands of a template for this port state (see Template). */
  private expand(template: Template, change: PortChange | null, state: PortVlans, port: string | null): string[] {
    const single: Record<string, string | number | null | undefined> = {
      port,
      vlan: change?.kind === 'modify' ? (change.channel.native ? change.vlan : change.channel.vlan) : null,
      // Re-setting the same native VLAN must not remove it first.
      old_native: change?.kind === 'modify' && change.channel.native && change.vlan === state.native ? null : state.native,
      dummy_vlan: this.fields.dummy_vlan,
      if_type: this.fields.interface_type,
    };
    const out: string[] = [];
    for (const step of template) {
      const values = step.includes('{each_tagged}') ? state.tagged : [null];
      for (const each of values) {
        let missing = false;
        const text = step.replace(/\{(\w+)\}/g, (_, name: string) => {
          const v = name === 'each_tagged' ? each : single[name];
          if (!(name in single) && name !== 'each_tagged') throw new Error(`template placeholder {${name}} is unknown`);
          if (v === null || v === undefined) { missing = true; return ''; }
          return String(v);
        });
        if (!missing) out.push(...text.split('\n'));
      }
    }
    return out;
  }

  /** The template that carries out one change. */
  private templateOf(c: PortChange): Template {
    const t = this.dialect.templates;
    if (c.kind === 'revert') return t.revert;
    if (c.channel.native) return c.vlan === null ? t.removeNative : t.setNative;
    return c.vlan === null ? t.removeTagged : t.addTagged;
  }

  /** Apply one change on top of `state` (config mode); returns the new state. A port in a foreign state is reverted first. */
  private async change(cli: Cli, c: PortChange, state: PortVlans): Promise<PortVlans> {
    if (c.kind === 'modify' && state.anomaly !== undefined) state = await this.change(cli, { kind: 'revert', port: c.port }, state);
    await this.enterConfig(cli);
    for (const cmd of this.expand(this.templateOf(c), c, state, c.port)) await this.command(cli, cmd);
    return afterChange(state, c);
  }

  /** Read one port (exec mode). CommandRejected if the switch refuses the show or its answer is not understood. */
  private async readPort(cli: Cli, port: string): Promise<PortVlans> {
    await this.leaveConfig(cli);
    const [show] = this.expand([this.dialect.showPort], null, { native: null, tagged: [] }, port);
    const out = await this.command(cli, show!);
    try {
      return this.dialect.parsePort(out, this.fields);
    } catch (e) {
      throw new CommandRejected(`${this.where}: ${messageOf(e)}`);
    }
  }

  /** After a refused change: put the port back to `want`; returns what to add to the error message. */
  private async restore(cli: Cli, port: string, want: PortVlans): Promise<{ note: string; state: PortVlans | null }> {
    try {
      let state = await this.readPort(cli, port);
      if (carriesExactly(state, want)) return { note: '', state };
      for (const c of changesBetween(port, state, want)) state = await this.change(cli, c, state);
      return { note: '; the port was put back as it was', state };
    } catch (e) {
      if (!(e instanceof CommandRejected)) throw e;
      return { note: `; the port may be left partly changed (${e.message}): check it with "haas switch verify ${this.label}"`, state: null };
    }
  }

  private async save(cli: Cli): Promise<void> {
    await this.leaveConfig(cli);
    const { command, confirm, success } = this.dialect.save;
    const out = await this.exchange(cli, command, this.timeouts.saveMs, confirm);
    const refused = this.rejection(out);
    if (refused !== null) throw new CommandRejected(`${this.where} did not save its configuration ("${command}"): ${refused}`);
    if (!success.test(out)) {
      throw new CommandRejected(`${this.where} did not confirm saving its configuration ("${command}"): ${this.scrub(out.trim().replace(/\s+/g, ' ').slice(0, 300)) || 'no output'}`);
    }
  }

  // --- the SwitchSession interface -----------------------------------------

  async applyBatch(changes: PortChange[]): Promise<ChangeResult[]> {
    const results: Array<ChangeResult | undefined> = changes.map(() => undefined);
    if (changes.length === 0) return [];
    let reached = false;
    this.inFlight = null;
    try {
      const cli = await this.connection();
      reached = true;
      await this.applyOn(cli, changes, results);
    } catch (e) {
      // The connection is gone or the switch stopped answering: the change being
      // sent may or may not be applied, those after it were not sent; those done
      // are in the running configuration (saved by the next batch).
      this.drop();
      const msg = this.scrub(messageOf(e));
      if (!reached) throw new SwitchUnreachableError(msg);
      // A change cut off may be in the running configuration: the next batch saves.
      if (this.inFlight !== null) this.unsaved = true;
      return results.map((r, i): ChangeResult => r !== undefined ? r
        : i === this.inFlight ? { error: msg, uncertain: true } : { error: `${msg} (this change was not sent)` });
    }
    return results.map((r) => (r === undefined ? { error: `${this.where}: the change was not attempted` } : r));
  }

  private async applyOn(cli: Cli, changes: PortChange[], results: Array<ChangeResult | undefined>): Promise<void> {
    const before = new Map<string, PortVlans>();
    const unreadable = new Map<string, string>();
    for (const port of new Set(changes.map((c) => c.port))) {
      try { before.set(port, await this.readPort(cli, port)); } catch (e) {
        if (!(e instanceof CommandRejected)) throw e;
        unreadable.set(port, e.message);
      }
    }
    const now = new Map(before);
    const applied: number[] = [];
    for (const [i, c] of changes.entries()) {
      const state = now.get(c.port);
      if (state === undefined) { results[i] = { error: unreadable.get(c.port) ?? `${this.where}: cannot read port ${c.port}` }; continue; }
      this.inFlight = i;
      try {
        now.set(c.port, await this.change(cli, c, state));
        this.unsaved = true;
        results[i] = null;
        applied.push(i);
      } catch (e) {
        if (!(e instanceof CommandRejected)) throw e;
        const back = await this.restore(cli, c.port, state);
        results[i] = { error: e.message + back.note };
        if (back.state) now.set(c.port, back.state); else now.delete(c.port);
      }
      this.inFlight = null;
    }
    if (!this.unsaved) { await this.leaveConfig(cli); return; }
    try {
      await this.save(cli);
      this.unsaved = false;
    } catch (e) {
      if (!(e instanceof CommandRejected)) throw e;
      // Unsaved changes would be lost at the next reboot: undo them now, so the
      // inventory (which keeps the old state for a failed action) matches the switch.
      const notes = new Map<string, string>();
      // Cut off while undoing, a change may be applied or not: the worker reads it back.
      for (const i of applied) results[i] = { error: `${e.message}; cut off while putting the port back`, uncertain: true };
      for (const port of new Set(applied.map((i) => changes[i]!.port))) {
        notes.set(port, (await this.restore(cli, port, before.get(port)!)).note.replace('put back as it was', 'put back as it was before the batch'));
      }
      await this.leaveConfig(cli);
      for (const i of applied) results[i] = { error: e.message + (notes.get(changes[i]!.port) ?? '') };
    }
  }

  async getPortNetworks(ports: string[]): Promise<Map<string, PortVlans>> {
    const out = new Map<string, PortVlans>();
    try {
      const cli = await this.connection();
      for (const port of ports) {
        try { out.set(port, await this.readPort(cli, port)); } catch (e) {
          if (!(e instanceof CommandRejected)) throw e;
          out.set(port, { native: null, tagged: [], anomaly: e.message });
        }
      }
    } catch (e) {
      this.drop();
      throw new Error(this.scrub(messageOf(e)));
    }
    return out;
  }

  async macTable(): Promise<MacEntry[]> {
    let out: string;
    try {
      const cli = await this.connection();
      await this.leaveConfig(cli);
      out = await this.command(cli, this.dialect.showMacTable);
    } catch (e) {
      if (!(e instanceof CommandRejected)) this.drop();
      throw new Error(this.scrub(messageOf(e)));
    }
    try {
      return this.dialect.parseMacTable(out, this.fields);
    } catch (e) {
      throw new Error(this.scrub(`${this.where}: "${this.dialect.showMacTable}": ${messageOf(e)}`));
    }
  }

  /**
   * Discovery: the dialect's interface listing, then each listed port's VLANs by its show command
   * (the parser getPortNetworks uses). A refused or unreadable listing fails the whole call with
   * the switch's words; a port whose show is refused is listed with that as its anomaly.
   */
  async listInterfaces(): Promise<DiscoveredInterface[]> {
    let cli: Cli;
    try { cli = await this.connection(); } catch (e) {
      this.drop();
      throw new SwitchUnreachableError(this.scrub(messageOf(e)));
    }
    try {
      await this.leaveConfig(cli);
      const listing = await this.command(cli, this.dialect.listInterfaces);
      let listed;
      try { listed = this.dialect.parseInterfaces(listing, this.fields); } catch (e) {
        throw new CommandRejected(`${this.where}: ${messageOf(e)}`);
      }
      const out: DiscoveredInterface[] = [];
      for (const { name, link } of listed) {
        let vlans: PortVlans;
        try { vlans = await this.readPort(cli, name); } catch (e) {
          if (!(e instanceof CommandRejected)) throw e;
          vlans = { native: null, tagged: [], anomaly: e.message };
        }
        out.push({ name, link, vlans });
      }
      return out;
    } catch (e) {
      if (!(e instanceof CommandRejected)) this.drop();
      throw new Error(this.scrub(messageOf(e)));
    }
  }

  async close(): Promise<void> { this.drop(); }
}
