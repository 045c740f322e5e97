/**
 * The command map: every command's name (words joined by spaces), its one-line summary and a loader. Only the
 * files of the group being run are imported, so `gangplank --help` loads none of them. The e2e test table is
 * keyed by {@link CommandName}, so a command added here without a test fails `tsc`.
 */
import type { CommandDef } from './command.js';

interface CommandEntry {
  summary: string;
  load: () => Promise<{ default: CommandDef }>;
}

export const COMMANDS = {
  login: {
    summary: 'Check a server URL and token, and save them',
    load: () => import('./commands/login.js'),
  },
  logout: { summary: 'Forget the saved token', load: () => import('./commands/logout.js') },
  'config view': {
    summary: 'Show every setting and where it comes from',
    load: () => import('./commands/config/view.js'),
  },
  'config get': { summary: 'Print one setting', load: () => import('./commands/config/get.js') },
  'config set': {
    summary: 'Save one setting in the config file',
    load: () => import('./commands/config/set.js'),
  },
  'config unset': {
    summary: 'Remove one setting from the config file',
    load: () => import('./commands/config/unset.js'),
  },
  'config path': { summary: 'Print the config file path', load: () => import('./commands/config/path.js') },
  'train get': {
    summary: 'List trainings, or get one with --id',
    load: () => import('./commands/train/get.js'),
  },
  'train create': {
    summary: 'Create trainings from manifest files',
    load: () => import('./commands/train/create.js'),
  },
  'train edit': {
    summary: 'Update trainings from manifest files (starts a new run)',
    load: () => import('./commands/train/edit.js'),
  },
  'train delete': {
    summary: 'Delete trainings by id or by manifest file',
    load: () => import('./commands/train/delete.js'),
  },
  'train logs': {
    summary: "Print a training's logs, optionally following them",
    load: () => import('./commands/train/logs.js'),
  },
  'train cancel': {
    summary: "Stop a training's current run",
    load: () => import('./commands/train/cancel.js'),
  },
  'train history': {
    summary: "Print or export a run's metrics history (table, json or csv)",
    load: () => import('./commands/train/history.js'),
  },
  'train runs': {
    summary: 'List the runs of a training (every create and edit is a run)',
    load: () => import('./commands/train/runs.js'),
  },
  'toolchain-integration get': {
    summary: 'List toolchain integrations, or get one with --id',
    load: () => import('./commands/toolchain-integration/get.js'),
  },
  'toolchain-integration create': {
    summary: 'Create toolchain integrations from manifest files',
    load: () => import('./commands/toolchain-integration/create.js'),
  },
  'toolchain-integration edit': {
    summary: 'Update toolchain integrations from manifest files',
    load: () => import('./commands/toolchain-integration/edit.js'),
  },
  'toolchain-integration delete': {
    summary: 'Delete toolchain integrations by id or by manifest file',
    load: () => import('./commands/toolchain-integration/delete.js'),
  },
  'connection get': {
    summary: 'List connections, or get one with --id (secrets masked unless --decrypted)',
    load: () => import('./commands/connection/get.js'),
  },
  'connection create': {
    summary: 'Create connections from manifest files',
    load: () => import('./commands/connection/create.js'),
  },
  'connection edit': {
    summary: 'Update connections from manifest files',
    load: () => import('./commands/connection/edit.js'),
  },
  'connection delete': {
    summary: 'Delete connections by id or by manifest file',
    load: () => import('./commands/connection/delete.js'),
  },
  'bulk apply': {
    summary: 'Create or update every document of the files, by kind',
    load: () => import('./commands/bulk/apply.js'),
  },
  'bulk delete': {
    summary: 'Delete every document of the files, by kind',
    load: () => import('./commands/bulk/delete.js'),
  },
  'local train run': {
    summary: 'Run a training manifest on this machine, with no server',
    load: () => import('./commands/local/train-run.js'),
  },
  serve: { summary: 'Start the API server', load: () => import('./commands/serve.js') },
  'stack up': {
    summary: 'Start Prometheus, the Pushgateway and Alertmanager on this machine',
    load: () => import('./commands/stack/up.js'),
  },
  'stack down': {
    summary: 'Stop the monitoring stack started by stack up',
    load: () => import('./commands/stack/down.js'),
  },
  'stack status': {
    summary: 'Show whether the monitoring stack is running',
    load: () => import('./commands/stack/status.js'),
  },
  completion: {
    summary: 'Print a shell completion script (bash or zsh)',
    load: () => import('./commands/completion.js'),
  },
} as const satisfies Record<string, CommandEntry>;

export type CommandName = keyof typeof COMMANDS;

export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

/** Groups (the words before a command's last word), with their summary and aliases. */
export const GROUPS: Record<string, { summary: string; aliases?: readonly string[] }> = {
  config: { summary: 'Read and write CLI settings (server URL, token, progress sources)' },
  train: { summary: 'Manage model trainings', aliases: ['training'] },
  'toolchain-integration': { summary: 'Manage toolchain integrations', aliases: ['ti'] },
  connection: {
    summary: 'Manage connections (git, object storage, local folders, registries)',
    aliases: ['conn'],
  },
  bulk: { summary: 'Apply or delete many resources of any kind at once' },
  local: { summary: 'Work on this machine without a server' },
  'local train': { summary: 'Run trainings locally', aliases: ['training'] },
  stack: { summary: 'Run the monitoring stack (Prometheus, Pushgateway, Alertmanager) without Docker' },
};
