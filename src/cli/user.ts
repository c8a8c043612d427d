// haas user ...: users of the database auth backend (SPEC 3.6, admin only).
import { Command, Option, UsageError } from 'clipanion';
import { ClientCommand, DataCommand } from './base.js';
import { readSecret } from './input.js';
import { formatTable, joinOr } from './output.js';

class UserCreate extends ClientCommand {
  static override paths = [['user', 'create']];
  static override usage = Command.Usage({
    category: 'Users',
    description: 'Create a user (admin; database auth)',
    details: `
      The new user's password is read from \`--password-file\`, else from stdin (a prompt on a terminal).
      Your own password, if needed, goes in \`--auth-password-file\` (or the environment).
    `,
    examples: [
      ['An admin, password from a file', '$0 user create alice --admin --password-file alice.pw'],
      ['A user, password on stdin', 'echo s3cret | $0 user create bob'],
    ],
  });
  name = Option.String({ name: 'USER' });
  admin = Option.Boolean('--admin', false, { description: 'Make the user an administrator' });
  override authPasswordFile = Option.String('--auth-password-file', {
    description: 'File holding the password of --username (else env HAAS_PASSWORD, HIL_PASSWORD, or the client config)',
  });
  passwordFile = Option.String('--password-file', { description: 'File holding the new user\'s password (default: stdin)' });
  async execute() {
    const password = await readSecret({
      file: this.passwordFile, what: `password of user ${this.name}`, stdin: this.context.stdin, stderr: this.context.stderr,
    });
    await this.api.userCreate(this.name, password, this.admin);
  }
}

class UserDelete extends ClientCommand {
  static override paths = [['user', 'delete']];
  static override usage = Command.Usage({
    category: 'Users', description: 'Delete a user (admin)', examples: [['Delete bob', '$0 user delete bob']],
  });
  name = Option.String({ name: 'USER' });
  async execute() {
    await this.api.userDelete(this.name);
  }
}

class UserList extends DataCommand {
  static override paths = [['user', 'list']];
  static override usage = Command.Usage({
    category: 'Users', description: 'List users with their role and projects (admin)', examples: [['All users', '$0 user list']],
  });
  async execute() {
    this.show(await this.api.listUsers(), (users) => formatTable(['user', 'admin', 'projects'],
      Object.entries(users).map(([name, u]) => [name, u.is_admin ? 'yes' : 'no', joinOr(u.projects, '-')])));
  }
}

class UserSetAdmin extends ClientCommand {
  static override paths = [['user', 'set-admin']];
  static override usage = Command.Usage({
    category: 'Users',
    description: 'Grant (yes) or revoke (no) a user\'s administrator role (admin; not on yourself)',
    examples: [['Make bob an admin', '$0 user set-admin bob yes'], ['Revoke it', '$0 user set-admin bob no']],
  });
  name = Option.String({ name: 'USER' });
  value = Option.String({ name: 'yes|no' });
  async execute() {
    const v = this.value.toLowerCase();
    const yes = ['yes', 'true', '1'].includes(v);
    if (!yes && !['no', 'false', '0'].includes(v)) throw new UsageError(`expected yes or no, got "${this.value}"`);
    await this.api.userSetAdmin(this.name, yes);
  }
}

class UserAddProject extends ClientCommand {
  static override paths = [['user', 'add-project']];
  static override usage = Command.Usage({
    category: 'Users', description: 'Make a user a member of a project (admin)',
    examples: [['bob joins "research"', '$0 user add-project bob research']],
  });
  name = Option.String({ name: 'USER' });
  project = Option.String({ name: 'PROJECT' });
  async execute() {
    await this.api.userAddProject(this.name, this.project);
  }
}

class UserRemoveProject extends ClientCommand {
  static override paths = [['user', 'remove-project']];
  static override usage = Command.Usage({
    category: 'Users', description: 'Remove a user from a project (admin)',
    examples: [['bob leaves "research"', '$0 user remove-project bob research']],
  });
  name = Option.String({ name: 'USER' });
  project = Option.String({ name: 'PROJECT' });
  async execute() {
    await this.api.userRemoveProject(this.name, this.project);
  }
}

/** The `haas user` commands. */
export const userCommands = [UserCreate, UserDelete, UserList, UserSetAdmin, UserAddProject, UserRemoveProject];
