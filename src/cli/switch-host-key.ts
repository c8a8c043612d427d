// haas switch host-key ...: the SSH host keys of switches (haas's extension, admin only).
import { Command, Option } from 'clipanion';
import type { HostKeyInfo } from '../client/types.js';
import { DataCommand } from './base.js';
import { formatFields } from './output.js';

function formatHostKey(k: HostKeyInfo): string {
  const fields: [string, string][] = [['switch', k.switch]];
  if (k.fingerprint === null) fields.push(['host key', 'none yet (the first key seen at the next login is recorded)']);
  else fields.push(['host key', k.fingerprint], ['recorded', `${k.origin === 'admin' ? 'given by an admin' : 'on first use'}, ${k.recorded_at ?? '-'}`]);
  if (k.refused !== null) fields.push(['refused', `${k.refused} (presented by the switch; accept it only if the switch really has a new key)`]);
  return formatFields(fields);
}

const HOW_TO_GET = `
      A fingerprint is OpenSSH's \`SHA256:...\` form: on a host that reaches the switch,
      \`ssh-keyscan -p PORT HOST 2>/dev/null | ssh-keygen -lf -\` prints it (one line per key type;
      haas negotiates ed25519 first, then ecdsa, then rsa), or on the switch itself \`ssh-keygen -lf\` of its
      host key's .pub file.`;

class HostKeyShow extends DataCommand {
  static override paths = [['switch', 'host-key', 'show']];
  static override usage = Command.Usage({
    category: 'Switches',
    description: 'Show the SSH host key on record for a switch, and a key it presented that was refused (admin)',
    details: `
      haas checks the SSH host key of every switch it logs in to (ovs over SSH and the CLI dialects)
      before it sends the password. The first key seen is recorded, unless an admin gave one with
      \`haas switch host-key set\`; a switch that presents another key is refused (its networking actions
      end ERROR, naming both fingerprints) until an admin accepts the new key.
    `,
    examples: [['Show sw0\'s host key', '$0 switch host-key show sw0']],
  });
  name = Option.String({ name: 'SWITCH' });
  async execute() {
    this.show(await this.api.switchHostKey(this.name), formatHostKey);
  }
}

class HostKeySet extends DataCommand {
  static override paths = [['switch', 'host-key', 'set']];
  static override usage = Command.Usage({
    category: 'Switches',
    description: 'Give the SSH host key of a switch: before its first login, or to replace the one on record (admin)',
    details: `
      Give the key right after \`haas switch register\` (or with its \`--host-key\`), before the switch's
      ports carry networks, so that even the first login is checked.
      ${HOW_TO_GET}
    `,
    examples: [['Pre-seed sw0\'s key', '$0 switch host-key set sw0 SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s']],
  });
  name = Option.String({ name: 'SWITCH' });
  fingerprint = Option.String({ name: 'FINGERPRINT' });
  async execute() {
    this.show(await this.api.switchSetHostKey(this.name, this.fingerprint), formatHostKey);
  }
}

class HostKeyAccept extends DataCommand {
  static override paths = [['switch', 'host-key', 'accept']];
  static override usage = Command.Usage({
    category: 'Switches',
    description: 'Accept the new SSH host key a switch presented and that was refused (admin)',
    details: `
      FINGERPRINT must be the key the switch presented (\`haas switch host-key show\` and the failed
      action's message name it); anything else is refused and nothing changes. Check it on the switch
      first: a key that changed without a reinstall or a key rotation can be someone in the middle.
      ${HOW_TO_GET}
    `,
    examples: [['Accept sw0\'s new key', '$0 switch host-key accept sw0 SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s']],
  });
  name = Option.String({ name: 'SWITCH' });
  fingerprint = Option.String({ name: 'FINGERPRINT' });
  async execute() {
    this.show(await this.api.switchAcceptHostKey(this.name, this.fingerprint), formatHostKey);
  }
}

/** The `haas switch host-key` commands. */
export const hostKeyCommands = [HostKeyShow, HostKeySet, HostKeyAccept];
