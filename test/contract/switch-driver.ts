// The switch driver contract: what every SwitchDriver promises, checked at
// the driver level (driver.connect -> session, no daemon) against a real or
// emulated device that the caller's setup starts. Every implementation runs
// it, the mock included (STYLE.md principle 14).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { validateFields } from '../../src/drivers/fields.js';
import type { PortChange, PortVlans, SwitchDriver, SwitchSession } from '../../src/drivers/switch/types.js';
import { normalizeMac } from '../../src/drivers/switch/mac.js';

/** A device started for the contract, and how to reach it. */
export interface SwitchContractDevice {
  driver: SwitchDriver;
  /** Register-time fields (as a switch_register body minus `type`); the contract validates them. */
  fields: Record<string, unknown>;
  /** Three or more ports the device has. The contract leaves them reverted. */
  ports: string[];
  /** A valid port name the device does not have; omitted when the implementation accepts any port (the mock creates it). */
  absentPort?: string;
  /** Three distinct VLAN ids the device can carry (default 310, 320, 330). */
  vlans?: [number, number, number];
  /** Stop the device; runs even when a step failed. */
  teardown(): Promise<void> | void;
}

/** A port's read-back with `anomaly` always present (null when the port is just its VLANs). */
interface Seen { native: number | null; tagged: number[]; anomaly: string | null }

const native = (port: string, vlan: number | null): PortChange => ({ kind: 'modify', port, channel: { native: true }, vlan });
const tagged = (port: string, vlan: number, on = true): PortChange => ({ kind: 'modify', port, channel: { native: false, vlan }, vlan: on ? vlan : null });
const revert = (port: string): PortChange => ({ kind: 'revert', port });
const seen = (n: number | null, t: number[] = []): Seen => ({ native: n, tagged: t, anomaly: null });
const shape = (v: PortVlans | undefined): Seen | undefined => (v && { native: v.native, tagged: v.tagged, anomaly: v.anomaly ?? null });

/**
 * Register the contract suite for one implementation. `setup` starts its
 * device (once for the suite); `skip` is a reason the device cannot run here.
 */
export function switchDriverContract(name: string, setup: () => Promise<SwitchContractDevice>, opts: { skip?: string | false } = {}): void {
  describe(`switch driver contract: ${name}`, { skip: opts.skip ?? false }, () => {
    let dev: SwitchContractDevice;
    let ports: string[];
    let vlan: [number, number, number];
    const open = (): SwitchSession => dev.driver.connect(`contract-${name}`, validateFields(`switch type ${dev.driver.name}`, dev.driver.fields, dev.fields));
    const nativeless = () => dev.driver.capabilities.includes('nativeless-trunk-mode');

    /** Run `body` with a fresh session, closed afterwards. */
    async function withSession<T>(body: (s: SwitchSession) => Promise<T>): Promise<T> {
      const s = open();
      try { return await body(s); } finally { await s.close(); }
    }
    /** Apply a batch that must succeed: one null per change. */
    async function applyAll(s: SwitchSession, changes: PortChange[], what: string): Promise<void> {
      assert.deepEqual(await s.applyBatch(changes), changes.map(() => null), what);
    }
    async function read(s: SwitchSession, which: string[]): Promise<Record<string, Seen | undefined>> {
      const got = await s.getPortNetworks(which);
      return Object.fromEntries(which.map((p) => [p, shape(got.get(p))]));
    }
    async function expectPort(s: SwitchSession, port: string, want: Seen, what: string): Promise<void> {
      assert.deepEqual((await read(s, [port]))[port], want, what);
    }

    before(async () => {
      dev = await setup();
      ports = dev.ports;
      vlan = dev.vlans ?? [310, 320, 330];
      assert.ok(ports.length >= 3, 'the setup gives three or more ports');
      if (dev.driver.checkFields) dev.driver.checkFields(validateFields(`switch type ${dev.driver.name}`, dev.driver.fields, dev.fields));
    });
    after(async () => {
      try {
        if (dev) await withSession((s) => s.applyBatch(ports.map(revert)));
      } finally {
        await dev?.teardown();
      }
    });

    it('accepts its ports\' names', () => {
      for (const p of [...ports, ...(dev.absentPort ? [dev.absentPort] : [])]) dev.driver.validatePortName(p);
    });

    it('reads its forwarding table: entries with a MAC address, a VLAN or none, and a port', () => withSession(async (s) => {
      const table = await s.macTable();
      assert.ok(Array.isArray(table));
      for (const e of table) {
        assert.notEqual(normalizeMac(e.mac), null, `a MAC address: ${JSON.stringify(e)}`);
        assert.ok(e.vlan === null || (Number.isInteger(e.vlan) && e.vlan >= 0 && e.vlan <= 4095), `a VLAN: ${JSON.stringify(e)}`);
        assert.ok(typeof e.port === 'string' && e.port !== '', `a port: ${JSON.stringify(e)}`);
      }
    }));

    it('a reverted port carries nothing, and reads back once per port asked', () => withSession(async (s) => {
      await applyAll(s, ports.map(revert), 'revert every port');
      const got = await s.getPortNetworks(ports);
      assert.deepEqual([...got.keys()].sort(), [...ports].sort());
      for (const p of ports) assert.deepEqual(shape(got.get(p)), seen(null), `${p} after revert`);
    }));

    it('native, tagged, and their removal read back step by step', () => withSession(async (s) => {
      const [p] = ports as [string];
      const [n, t1, t2] = vlan;
      await applyAll(s, [revert(p)], 'revert');
      await expectPort(s, p, seen(null), 'after revert');
      await applyAll(s, [native(p, n)], 'set native');
      await expectPort(s, p, seen(n), 'native only');
      // Added out of order: the read-back is sorted.
      await applyAll(s, [tagged(p, t2), tagged(p, t1)], 'add two tagged');
      await expectPort(s, p, seen(n, [t1, t2]), 'native kept beside two tagged');
      await applyAll(s, [tagged(p, t1, false)], 'remove one tagged');
      await expectPort(s, p, seen(n, [t2]), 'one tagged left');
      if (nativeless()) {
        await applyAll(s, [native(p, null)], 'remove native beside a tagged one');
        await expectPort(s, p, seen(null, [t2]), 'a trunk without native');
        await applyAll(s, [tagged(p, t2, false)], 'remove the last tagged');
      } else {
        await applyAll(s, [tagged(p, t2, false)], 'remove the last tagged');
        await expectPort(s, p, seen(n), 'native only again');
        await applyAll(s, [native(p, null)], 'remove native');
      }
      await expectPort(s, p, seen(null), 'nothing left');
      await applyAll(s, [native(p, n), tagged(p, t1)], 'set up again');
      await applyAll(s, [revert(p)], 'revert a port carrying networks');
      await expectPort(s, p, seen(null), 'after revert');
    }));

    it('lists its ports (discovery) with a link state and the same VLANs getPortNetworks reads', () => withSession(async (s) => {
      const [p, q] = ports as [string, string];
      const [n, t1] = vlan;
      await applyAll(s, [revert(p), revert(q), native(p, n), tagged(p, t1)], 'set up p, isolate q');
      const listed = await s.listInterfaces();
      const byName = new Map(listed.map((i) => [i.name, i]));
      assert.equal(byName.size, listed.length, 'each port once');
      for (const port of ports) {
        const i = byName.get(port);
        assert.ok(i, `${port} is listed`);
        assert.ok(['up', 'down', 'unknown'].includes(i.link), `${port} link ${i.link}`);
        dev.driver.validatePortName(port);
      }
      assert.deepEqual(shape(byName.get(p)?.vlans), seen(n, [t1]), 'p as set');
      assert.deepEqual(shape(byName.get(q)?.vlans), seen(null), 'q isolated');
      const read = await s.getPortNetworks(ports);
      for (const port of ports) assert.deepEqual(shape(byName.get(port)?.vlans), shape(read.get(port)), `${port}: discovery and read-back agree`);
    }));

    it('gives one result per change, and applying a batch twice changes nothing more', () => withSession(async (s) => {
      const [p, q] = ports as [string, string];
      const [n, t1, t2] = vlan;
      await applyAll(s, [revert(p), revert(q)], 'revert');
      const batch = [native(p, n), tagged(p, t1), native(q, t2), tagged(p, t2), tagged(p, t1, false)];
      const want = { [p]: seen(n, [t2]), [q]: seen(t2) };
      await applyAll(s, batch, 'first time');
      assert.deepEqual(await read(s, [p, q]), want, 'after the first time');
      await applyAll(s, batch, 'second time');
      assert.deepEqual(await read(s, [p, q]), want, 'after the second time');
      await applyAll(s, [revert(p), revert(q)], 'revert twice: first');
      await applyAll(s, [revert(p), revert(q)], 'revert twice: second');
      assert.deepEqual(await read(s, [p, q]), { [p]: seen(null), [q]: seen(null) });
      assert.deepEqual(await s.applyBatch([]), [], 'an empty batch has no results');
    }));

    it('a batch touching two ports changes only those', () => withSession(async (s) => {
      const [p, q, r] = ports as [string, string, string];
      const [n, t1, t2] = vlan;
      await applyAll(s, [revert(p), revert(q), native(r, t2), tagged(r, t1)], 'start');
      await applyAll(s, [native(p, n), native(q, t1), tagged(q, n)], 'two ports');
      assert.deepEqual(await read(s, [p, q, r]), { [p]: seen(n), [q]: seen(t1, [n]), [r]: seen(t2, [t1]) });
      await applyAll(s, [revert(p), revert(q)], 'revert two ports');
      assert.deepEqual(await read(s, [p, q, r]), { [p]: seen(null), [q]: seen(null), [r]: seen(t2, [t1]) });
      await applyAll(s, [revert(r)], 'revert the third');
    }));

    it('a change on a port the switch does not have fails alone, certainly; the rest of the batch applies', async (t) => {
      const absent = dev.absentPort;
      if (!absent) { t.skip(`${name} accepts any port name`); return; }
      await withSession(async (s) => {
        const [p, q] = ports as [string, string];
        const [n, t1] = vlan;
        await applyAll(s, [revert(p), revert(q)], 'revert');
        const results = await s.applyBatch([native(p, n), native(absent, n), native(q, t1), revert(absent)]);
        assert.equal(results.length, 4, JSON.stringify(results));
        assert.equal(results[0], null, `first change: ${JSON.stringify(results[0])}`);
        assert.equal(results[2], null, `third change: ${JSON.stringify(results[2])}`);
        for (const i of [1, 3]) {
          const r = results[i];
          assert.ok(r !== null && r !== undefined && typeof r.error === 'string' && r.error.length > 0, `change ${i + 1} on ${absent}: ${JSON.stringify(r)}`);
          // The switch answered: a refusal is certain (not applied), never "uncertain" (which the worker would read back).
          assert.equal(r.uncertain, undefined, `change ${i + 1} on ${absent} is a certain refusal: ${JSON.stringify(r)}`);
        }
        assert.deepEqual(await read(s, [p, q]), { [p]: seen(n), [q]: seen(t1) });
        await applyAll(s, [revert(p), revert(q)], 'revert');
      });
    });

    it('keeps the state on the switch: a new session reads what an earlier one applied', async () => {
      const [, , r] = ports as [string, string, string];
      const [n, t1] = vlan;
      await withSession((s) => applyAll(s, [revert(r), native(r, n), tagged(r, t1)], 'first session'));
      await withSession(async (s) => {
        await expectPort(s, r, seen(n, [t1]), 'second session');
        await applyAll(s, [revert(r)], 'revert from the second session');
      });
      await withSession((s) => expectPort(s, r, seen(null), 'third session'));
    });
  });
}
