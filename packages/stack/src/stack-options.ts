import type { StackPorts } from './prometheus-config.js';

/** How to start a stack (`startStack`); also what `stack-configs.ts` renders the configs from. */
export interface StackOptions {
  /** Folder for the rendered configs, data, logs, pid files and `stack.json`. Created if missing. */
  stateDir: string;
  /** Address the services listen on. @default '127.0.0.1' */
  host?: string;
  /** Ports by service; 0 picks a free port. @default `DEFAULT_PORTS` of stack.ts */
  ports?: Partial<StackPorts>;
  /** Static targets by scrape job, e.g. `{ mnist: ['127.0.0.1:18561'] }` (see `renderPrometheusConfig`). */
  targets?: Readonly<Record<string, readonly string[]>>;
  /** Overrides `global.scrape_interval` of the project's prometheus.yml (5s there). */
  scrapeInterval?: string;
  /** Overrides `global.evaluation_interval` (5s there). */
  evaluationInterval?: string;
  /**
   * Multiplies the range windows and `for:` of every rule, e.g. 0.1 for end-to-end tests that need an alert
   * within a minute. Windows never go below four scrape intervals.
   * @default 1
   */
  ruleTimeScale?: number;
  /**
   * Where prometheus/, alertmanager/ come from. @default `defaultDeployDir()`: the repository's deploy/ folder
   * in a checkout, the copy packed into the package once installed
   */
  deployDir?: string;
  /** Alertmanager config to use instead of `<deployDir>/alertmanager/alertmanager.yml`. */
  alertmanagerConfig?: string;
  /** Install missing Debian packages with apt-get when root. @default true */
  install?: boolean;
  /** Per-service readiness wait. @default 60000 */
  readyTimeoutMs?: number;
  /** Progress lines (what starts, what is reused). @default no output */
  log?: (line: string) => void;
  /** Clock for `startedAt`. @default () => new Date() */
  now?: () => Date;
}
