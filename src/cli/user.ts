// haas user ...: users of the database auth backend (SPEC 3.6, admin only).
import { Command, Option, UsageError } from 'clipanion';
import { ClientCommand, DataCommand } from './base.js';
import { readSecret } from '../secret-input.js';
import { formatTable, joinOr } from './output.js';

class UserCreate extends ClientCommand {
  static override paths = [['user', 'create']];
  static override usage = Command.Usage({
    category: 'Users',
    description: 'Create a user (admin; database auth)',
    details: `
      The new user's password is read from \`--new-password-file\`, else from stdin (a prompt on a terminal).
      \`--password-file\` is, as everywhere, your own password.
    `,
    examples: [
      ['An admin, password from a file', '$0 user create alice --admin --new-password-file alice.pw'],
      ['A user, password on stdin', 'echo s3cret | $0 user create bob'],
    ],
  });
  name = Option.String({ name: 'USER' });
  admin = Option.Boolean('--admin', false, { description: 'Make the user an administrator' });
  newPasswordFile = Option.String('--new-password-file', { description: 'File holding the new user\'s password (default: stdin)' });
  async execute() {
    const password = await readSecret({
      file: this.newPasswordFile, what: `password of user ${this.name}`, stdin: this.context.stdin, stderr: this.context.stderr,
    });
    await this.api.userCreate(this.name, password, this.admin);
    this.done(`created ${this.admin ? 'admin ' : ''}user ${this.name}`);
  }
}

class UserSetPassword extends ClientCommand {
  static override paths = [['user', 'set-password']];
  static override usage = Command.Usage({
    category: 'Users',
    description: 'Change a user\'s password (your own, or anyone\'s as an admin)',
    details: `
      The new password is read from \`--new-password-file\`, else from stdin (a prompt without echo on a
      terminal). \`--password-file\` is, as everywhere, your own (current) password.
    `,
    examples: [
      ['Change your own, at a prompt', '$0 user set-password alice'],
      ['From a file', '$0 user set-password alice --new-password-file alice-new.pw'],
    ],
  });
  name = Option.String({ name: 'USER' });
  newPasswordFile = Option.String('--new-password-file', { description: 'File holding the new password (default: stdin)' });
  async execute() {
    const password = await readSecret({
      file: this.newPasswordFile, what: `new password of user ${this.name}`, stdin: this.context.stdin, stderr: this.context.stderr,
    });
    await this.api.userSetPassword(this.name, password);
    this.done(`changed the password of user ${this.name}`);
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
    this.done(`deleted user ${this.name}`);
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
    this.done(yes ? `user ${this.name} is an admin` : `user ${this.name} is no longer an admin`);
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
    this.done(`added user ${this.name} to project ${this.project}`);
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
    this.done(`removed user ${this.name} from project ${this.project}`);
  }
}

/** The `haas user` commands. */
export const userCommands = [UserCreate, UserSetPassword, UserDelete, UserList, UserSetAdmin, UserAddProject, UserRemoveProject];
