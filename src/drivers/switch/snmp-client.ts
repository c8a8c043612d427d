// A small promise-based SNMP manager over net-snmp (v2c or v3 authPriv):
// column walks, GET and SET, with short timeouts and errors in plain words
// (which switch, what it said, and what probably went wrong).
import type { Session, Varbind } from 'net-snmp';

type NetSnmp = typeof import('net-snmp').default;
let netSnmp: Promise<NetSnmp> | null = null;
/** net-snmp, loaded on first use: a daemon without SNMP switches never pays for it. */
function loadNetSnmp(): Promise<NetSnmp> {
  netSnmp ??= import('net-snmp').then((m) => m.default);
  return netSnmp;
}

/** The Q-BRIDGE-MIB, BRIDGE-MIB and IF-MIB objects the `snmp` driver uses. */
export const OID = {
  dot1dBasePortIfIndex: '1.3.6.1.2.1.17.1.4.1.2',
  /** BRIDGE-MIB dot1dTpFdbPort, indexed by the MAC address (6 sub-ids). */
  dot1dTpFdbPort: '1.3.6.1.2.1.17.4.3.1.2',
  /** Q-BRIDGE-MIB dot1qTpFdbPort, indexed by the filtering database id and the MAC address. */
  dot1qTpFdbPort: '1.3.6.1.2.1.17.7.1.2.2.1.2',
  dot1qVlanStaticEgressPorts: '1.3.6.1.2.1.17.7.1.4.3.1.2',
  dot1qVlanStaticUntaggedPorts: '1.3.6.1.2.1.17.7.1.4.3.1.4',
  dot1qVlanStaticRowStatus: '1.3.6.1.2.1.17.7.1.4.3.1.5',
  dot1qPvid: '1.3.6.1.2.1.17.7.1.4.5.1.1',
  ifName: '1.3.6.1.2.1.31.1.1.1.1',
  ifOperStatus: '1.3.6.1.2.1.2.2.1.8',
} as const;

/** `1.3.6...5.1.1.7` -> `dot1qPvid.7`, for messages. */
export function oidName(oid: string): string {
  for (const [name, base] of Object.entries(OID)) {
    if (oid.startsWith(base + '.')) return `${name}.${oid.slice(base.length + 1)}`;
  }
  return oid;
}

/** How to reach and authenticate to an agent. */
export interface SnmpTarget {
  host: string;
  port: number;
  auth:
    | { version: '2c'; community: string }
    | { version: '3'; user: string; authProtocol: string; authKey: string; privProtocol: string; privKey: string };
}

/** An unanswered request is sent once more (UDP loses datagrams); both attempts together take one call's timeout. */
const RETRIES = 1;

/** No answer from the agent within the call's timeout (a SET's effect is then unknown). */
export class SnmpNoAnswerError extends Error {
  override name = 'SnmpNoAnswerError';
}

/** A SET the agent refused: the agent's error status and the object it named. */
export class SnmpSetError extends Error {
  constructor(message: string, readonly oid: string | null, readonly status: string) { super(message); }
}

/** A session to one agent; the UDP socket is opened on first use. */
export class SnmpClient {
  private session: Session | null = null;
  private readonly where: string;

  /** `callTimeoutMs`: one request, its retry included (`[timeouts] switch_call`). */
  constructor(private readonly target: SnmpTarget, private readonly callTimeoutMs: number) {
    this.where = `the SNMP agent at ${target.host}:${target.port}`;
  }

  private open(snmp: NetSnmp): Session {
    if (this.session) return this.session;
    const { host, port, auth } = this.target;
    const options = { port, timeout: Math.max(1, Math.floor(this.callTimeoutMs / (RETRIES + 1))), retries: RETRIES, backoff: 1 };
    const s = auth.version === '2c'
      ? snmp.createSession(host, auth.community, { ...options, version: snmp.Version2c })
      : snmp.createV3Session(host, {
        name: auth.user,
        level: snmp.SecurityLevel.authPriv,
        authProtocol: snmp.AuthProtocols[auth.authProtocol],
        authKey: auth.authKey,
        privProtocol: snmp.PrivProtocols[auth.privProtocol],
        privKey: auth.privKey,
      }, options);
    // A socket error fails the requests in flight; the next call opens a new socket.
    s.on('error', () => { if (this.session === s) this.session = null; });
    this.session = s;
    return s;
  }

  /** A failure of any request in words an operator can act on. */
  private explain(snmp: NetSnmp, e: unknown, what: string): Error {
    if (e instanceof snmp.RequestTimedOutError) {
      const hint = this.target.auth.version === '2c' ? 'a wrong community' : 'a wrong v3 user, auth_key or priv_key';
      const seconds = this.callTimeoutMs / 1000;
      return new SnmpNoAnswerError(`${what}: no answer from ${this.where} within ${seconds} s (unreachable, or it ignored the request: agents drop requests with ${hint})`);
    }
    if (e instanceof snmp.RequestFailedError) {
      const m = /^(\w+): ([\d.]+)$/.exec(e.message);
      const status = m?.[1] ?? snmp.ErrorStatus[e.status] ?? String(e.status);
      const oid = m?.[2] ?? null;
      return new SnmpSetError(`${what}: ${this.where} answered ${status}${oid ? ` for ${oidName(oid)}` : ''}`, oid, status);
    }
    if (e instanceof snmp.ResponseInvalidError) return new Error(`${what}: ${this.where} refused the request: ${e.message}`);
    return new Error(`${what}: ${this.where}: ${e instanceof Error ? e.message : String(e)}`);
  }

  /** Every instance of one column: index suffix (after the column OID) -> value. */
  async walk(column: string, what: string): Promise<Map<string, Varbind>> {
    const out = new Map<string, Varbind>();
    const snmp = await loadNetSnmp();
    return new Promise((resolve, reject) => {
      let session: Session;
      try { session = this.open(snmp); } catch (e) { reject(this.explain(snmp, e, what)); return; }
      session.subtree(column, 20, (varbinds) => {
        for (const vb of varbinds) {
          if (snmp.isVarbindError(vb)) continue;
          out.set(vb.oid.slice(column.length + 1), vb);
        }
      }, (error) => (error ? reject(this.explain(snmp, error, what)) : resolve(out)));
    });
  }

  /** SET these varbinds in one request; a refused SET is an SnmpSetError naming the object. */
  async set(varbinds: Varbind[], what: string): Promise<void> {
    const snmp = await loadNetSnmp();
    return new Promise((resolve, reject) => {
      let session: Session;
      try { session = this.open(snmp); } catch (e) { reject(this.explain(snmp, e, what)); return; }
      session.set(varbinds, (error, result) => {
        if (error) { reject(this.explain(snmp, error, what)); return; }
        const bad = result.find((vb) => snmp.isVarbindError(vb));
        if (bad) reject(new SnmpSetError(`${what}: ${this.where} answered ${snmp.varbindError(bad)}`, bad.oid, 'varbind error'));
        else resolve();
      });
    });
  }

  close(): void {
    const s = this.session;
    this.session = null;
    if (s) { try { s.close(); } catch { /* already closed */ } }
  }
}
