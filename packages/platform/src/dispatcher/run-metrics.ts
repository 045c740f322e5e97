/**
 * Run-level metrics the platform pushes for every run, and the clean-up of finished runs' gateway groups.
 *
 * Group: `job=<run job>, run_id=<run id>, training=<training id>, instance=gangplank-dispatcher` (the run's own
 * processes push under the same job and `run_id`, with their own `instance`). Series (all gauges):
 * `gangplank_run_state{state}` (1 for the current state, 0 for the other four), `gangplank_run_info{model_name,
 * model_version,toolchain,executor} 1`, `gangplank_run_created_time_seconds`, `gangplank_run_start_time_seconds`,
 * `gangplank_run_end_time_seconds`, `gangplank_run_duration_seconds`, `gangplank_run_exit_code` (the last four once
 * known).
 *
 * Clean-up policy (the Pushgateway never expires anything): when a run reaches a final state, every group whose
 * `run_id` is that run and that carries a `training` label (ours and those of the run's processes) is deleted
 * `retainMs` later (default 15 min: enough for Prometheus to scrape the final values and for alerts on them to
 * fire); a run dropped because its training was deleted is cleaned up the same way. Timers do not survive a
 * restart, so the dispatcher also sweeps the gateway when it starts and then every `retainMs`: groups with a
 * `training` label whose run the store shows finished for longer than `retainMs` go. Groups of runs the store does
 * not know (another platform sharing the gateway, or a training deleted while no dispatcher ran) and groups without a
 * `training` label are never touched.
 */
import type { PushgatewayClient } from '@gangplank/metrics';
import type { RunState } from '../domain/types.js';

export interface RunMetricsInfo {
  runId: string;
  trainingId: string;
  job: string;
  state: RunState;
  modelName: string;
  modelVersion: string;
  toolchain: string;
  executor: string;
  createdAt?: string;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
}

const STATES: RunState[] = ['scheduling', 'running', 'succeeded', 'failed', 'unknown'];
export const DISPATCHER_INSTANCE = 'gangplank-dispatcher';

function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

const seconds = (iso: string) => Date.parse(iso) / 1000;

/** Prometheus text exposition of a run's metrics. Pure. */
export function renderRunMetrics(info: RunMetricsInfo): string {
  const lines: string[] = [];
  const gauge = (name: string, help: string, samples: [string, number][]) => {
    if (samples.length === 0) return;
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  gauge(
    'gangplank_run_state',
    'State of a training run: 1 for the current state, 0 for the others.',
    STATES.map((s) => [`{state="${s}"}`, s === info.state ? 1 : 0]),
  );
  gauge('gangplank_run_info', 'Static facts about a training run.', [
    [
      `{model_name="${escape(info.modelName)}",model_version="${escape(info.modelVersion)}",toolchain="${escape(info.toolchain)}",executor="${escape(info.executor)}"}`,
      1,
    ],
  ]);
  const at = (name: string, help: string, iso: string | undefined) =>
    gauge(name, help, iso ? [['', seconds(iso)]] : []);
  at(
    'gangplank_run_created_time_seconds',
    'When the run was created (submitted), Unix seconds.',
    info.createdAt,
  );
  at('gangplank_run_start_time_seconds', 'When the run started, Unix seconds.', info.startedAt);
  at('gangplank_run_end_time_seconds', 'When the run finished, Unix seconds.', info.finishedAt);
  if (info.startedAt && info.finishedAt) {
    gauge('gangplank_run_duration_seconds', 'Wall time from start to finish of the run.', [
      ['', seconds(info.finishedAt) - seconds(info.startedAt)],
    ]);
  }
  if (info.exitCode !== undefined) {
    gauge('gangplank_run_exit_code', 'Exit code of the run entry point.', [['', info.exitCode]]);
  }
  return `${lines.join('\n')}\n`;
}

export interface RunMetricsPublisherOptions {
  /** Pushgateway URL or `host:port`. */
  gateway: string;
  /** How long the groups of a finished run stay on the gateway. @default 900_000 (15 min) */
  retainMs?: number;
  warn?: (message: string) => void;
}

interface GatewayGroup {
  labels: Record<string, string>;
}

/** Pushes run metrics and deletes finished runs' groups. Never throws: failures are reported through `warn`. */
export class RunMetricsPublisher {
  readonly retainMs: number;
  /**
   * Made once `@gangplank/metrics` is loaded, which starts here but is not waited for: its index is about 0.1 s of
   * modules that a server's start need not wait for. A gateway address it refuses fails each push (a warning).
   */
  private readonly client: Promise<PushgatewayClient>;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly warn: (message: string) => void;

  constructor(options: RunMetricsPublisherOptions) {
    this.client = import('@gangplank/metrics').then(
      ({ PushgatewayClient }) =>
        new PushgatewayClient(options.gateway, { retry: { retries: 2 }, timeoutMs: 5000, keepAlive: true }),
    );
    // Reported by the first push or clean-up that needs the client; not an unhandled rejection meanwhile.
    this.client.catch(() => undefined);
    this.retainMs = options.retainMs ?? 900_000;
    this.warn = options.warn ?? (() => {});
  }

  async publish(info: RunMetricsInfo): Promise<void> {
    try {
      await (
        await this.client
      ).push(
        {
          job: info.job,
          grouping: { run_id: info.runId, training: info.trainingId, instance: DISPATCHER_INSTANCE },
        },
        renderRunMetrics(info),
      );
    } catch (error) {
      this.warn(`run metrics of ${info.runId} not pushed: ${(error as Error).message}`);
    }
  }

  /** Deletes the run's groups after `retainMs`. */
  scheduleCleanup(runId: string): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.cleanup((labels) => labels.run_id === runId);
    }, this.retainMs);
    timer.unref();
    this.timers.add(timer);
  }

  /** Deletes every platform group (one with `run_id` and `training` labels) for which `shouldDelete` says so. */
  async cleanup(
    shouldDelete: (labels: Record<string, string>) => boolean | Promise<boolean>,
  ): Promise<number> {
    let groups: GatewayGroup[];
    try {
      const res = await fetch(`${(await this.client).baseUrl}/api/v1/metrics`, {
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      groups = ((await res.json()) as { data?: GatewayGroup[] }).data ?? [];
    } catch (error) {
      this.warn(`gateway groups not listed for clean-up: ${(error as Error).message}`);
      return 0;
    }
    let deleted = 0;
    for (const { labels } of groups) {
      if (!labels.run_id || !labels.training || !labels.job) continue;
      if (!(await shouldDelete(labels))) continue;
      const { job, ...rest } = labels;
      // The listing may show `instance: ""` for a group pushed without an instance; the group's key has none.
      const grouping = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== ''));
      try {
        await (await this.client).delete({ job, grouping });
        deleted++;
      } catch (error) {
        this.warn(`gateway group of run ${labels.run_id} not deleted: ${(error as Error).message}`);
      }
    }
    return deleted;
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    void this.client.then(
      (client) => client.close(),
      () => undefined,
    );
  }
}
