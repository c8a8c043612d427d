// The OBM driver contract: what every ObmDriver promises, checked at the
// driver level (driver.open -> session, no daemon) against a real or
// simulated BMC that the caller's setup starts. Every implementation runs
// it, the mock included (STYLE.md principle 14).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import { validateFields } from '../../src/drivers/fields.js';
import { BOOT_DEVICES, type ObmDriver, type ObmSession } from '../../src/drivers/obm/types.js';

/** A BMC started for the contract, and how to reach it. */
export interface ObmContractBmc {
  driver: ObmDriver;
  /** The node's `obm` fields minus `type`; the contract validates them. */
  fields: Record<string, unknown>;
  /** What the node's serial port writes, which its console must carry within seconds (default: any byte). */
  consoleOutput?: RegExp;
  /** Stop the BMC; runs even when a step failed. */
  teardown(): Promise<void> | void;
}

/** Resolve with what `stream` yielded once it matches `pattern`, or reject after `ms`. */
function readUntil(stream: Readable, pattern: RegExp, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => { cleanup(); reject(new Error(`the console did not show ${pattern} within ${ms / 1000} s; it showed ${JSON.stringify(text)}`)); }, ms);
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString();
      if (pattern.test(text)) { cleanup(); resolve(text); }
    };
    const onError = (e: Error) => { cleanup(); reject(e); };
    const onEnd = () => { cleanup(); reject(new Error(`the console ended after ${JSON.stringify(text)}`)); };
    const cleanup = () => {
      clearTimeout(timer);
      stream.off('data', onData).off('error', onError).off('end', onEnd);
      stream.pause();
    };
    stream.on('data', onData).once('error', onError).once('end', onEnd);
  });
}

/** Poll the power status until it is on, failing after `ms`. */
async function onWithin(obm: ObmSession, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  let status = await obm.powerStatus();
  while (status !== 'on' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    status = await obm.powerStatus();
  }
  assert.equal(status, 'on', `${what}: still ${status} after ${ms / 1000} s`);
}

/** Destroy a console stream and wait until it has closed. */
async function detach(stream: Readable): Promise<void> {
  const closed = new Promise<void>((res) => stream.once('close', () => res()));
  stream.on('error', () => {});
  stream.destroy();
  await closed;
}

/**
 * Register the contract suite for one implementation. `setup` starts its BMC
 * (once for the suite); `skip` is a reason the BMC cannot run here.
 */
export function obmDriverContract(name: string, setup: () => Promise<ObmContractBmc>, opts: { skip?: string | false } = {}): void {
  describe(`OBM driver contract: ${name}`, { skip: opts.skip ?? false }, () => {
    let bmc: ObmContractBmc;
    let obm: ObmSession;

    before(async () => {
      bmc = await setup();
      obm = bmc.driver.open(`contract-${name}`, validateFields(`obm type ${bmc.driver.name}`, bmc.driver.fields, bmc.fields));
    });
    after(async () => { await bmc?.teardown(); });

    it('powers off and on, and reports each state', async () => {
      await obm.powerOff();
      assert.equal(await obm.powerStatus(), 'off');
      await obm.powerOff();
      assert.equal(await obm.powerStatus(), 'off', 'powering off an off node keeps it off');
      await obm.powerOn();
      assert.equal(await obm.powerStatus(), 'on');
    });

    // A BMC's cycle powers the node off, waits, then on (ipmi_sim: about a
    // second): the node must be on again within a few seconds, not at once.
    it('a power cycle leaves a node on, and turns an off node on', async () => {
      await obm.powerOn();
      await obm.powerCycle(false);
      await onWithin(obm, 10_000, 'cycled from on');
      await obm.powerCycle(true);
      await onWithin(obm, 10_000, 'forced from on');
      await obm.powerOff();
      await obm.powerCycle(false);
      await onWithin(obm, 10_000, 'cycled from off');
    });

    // Each device is set after each other one, so a set that changes nothing cannot pass.
    it('sets every boot device, from every other one, and reads it back', async () => {
      for (const from of BOOT_DEVICES) {
        for (const to of BOOT_DEVICES.filter((d) => d !== from)) {
          await obm.setBootdev(from);
          assert.equal(await obm.bootDevice(), from, `set ${from}`);
          await obm.setBootdev(to);
          assert.equal(await obm.bootDevice(), to, `set ${to} after ${from}`);
        }
      }
    });

    it('streams the console until it is destroyed, and opens it again', async () => {
      for (const attempt of ['first', 'second']) {
        const stream = obm.console();
        try {
          const text = await readUntil(stream, bmc.consoleOutput ?? /[^]/, 10_000);
          assert.ok(text.length > 0, `${attempt} console: some bytes`);
        } finally {
          await detach(stream);
        }
        assert.ok(stream.destroyed, `${attempt} console: destroyed`);
      }
    });
  });
}
