// The daemon's own commands: `haas serve`, `haas demo`, the offline `haas admin ...` commands and `haas api-doc`.
import { ServeCommand } from './serve-command.js';
import { DemoCommand } from './demo.js';
import { ApiDocCommand } from './api-doc-command.js';
import { AdminBackupCommand, AdminCreateUserCommand, AdminMigrateCommand, AdminRestoreCommand } from './admin-commands.js';

/** The daemon's commands, registered by main.ts beside the client commands. */
export const daemonCommands = [ServeCommand, AdminCreateUserCommand, AdminMigrateCommand, AdminBackupCommand, AdminRestoreCommand, DemoCommand, ApiDocCommand];
