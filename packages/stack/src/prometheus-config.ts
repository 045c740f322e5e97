import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { parseDuration } from './duration.js';

/** Ports of the three services of the stack. */
export interface StackPorts {
  prometheus: number;
  pushgateway: number;
  alertmanager: number;
}

/** What {@link renderPrometheusConfig} changes in the project's `prometheus.yml`. */
export interface PrometheusConfigOptions {
  /** Host the stack's own targets are scraped on (`0.0.0.0` is scraped as 127.0.0.1). */
  host: string;
  ports: StackPorts;
  /**
   * Static targets by scrape job name, replacing that job's targets (e.g. `{ mnist: ['127.0.0.1:18561'] }`);
   * a name the file lacks adds a plain job. The jobs `prometheus`, `pushgateway` and `alertmanager` always
   * follow {@link ports}.
   * @default {}
   */
  targets?: Readonly<Record<string, readonly string[]>>;
  /** Replaces `global.scrape_interval`, e.g. `1s` for tests. */
  scrapeInterval?: string;
  /** Replaces `global.evaluation_interval`. */
  evaluationInterval?: string;
  /** Replaces `rule_files` (absolute paths or globs of the rendered rules). */
  ruleFiles?: readonly string[];
}

/** The scrape jobs whose targets are the stack itself. */
const STACK_JOBS = ['prometheus', 'pushgateway', 'alertmanager'] as const;

const TARGET_RE = /^[^\s/:]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;

function scrapeJobIndex(doc: Document, job: string): number {
  const jobs = doc.get('scrape_configs');
  if (!isSeq(jobs)) return -1;
  return jobs.items.findIndex((item) => isMap(item) && item.get('job_name') === job);
}

function scrapeJobNames(doc: Document): string[] {
  const jobs = doc.get('scrape_configs');
  if (!isSeq(jobs)) return [];
  return jobs.items.flatMap((item) => (isMap(item) ? [String(item.get('job_name'))] : []));
}

/**
 * Renders the project's `prometheus.yml` for one stack: the stack's ports, the given targets, intervals and rule
 * files; everything else (job options such as `honor_labels`, comments) is kept. Throws with the reason when the
 * source lacks a stack job or an option is malformed. Pure.
 */
export function renderPrometheusConfig(source: string, options: PrometheusConfigOptions): string {
  const doc = parseDocument(source);
  if (doc.errors.length > 0) throw new Error(`prometheus.yml is not valid YAML: ${doc.errors[0]!.message}`);
  const scrapeHost =
    options.host === '0.0.0.0' ? '127.0.0.1' : options.host === '::' ? '[::1]' : options.host;
  const hostPort = (port: number) =>
    scrapeHost.includes(':') && !scrapeHost.startsWith('[')
      ? `[${scrapeHost}]:${port}`
      : `${scrapeHost}:${port}`;

  for (const [key, value] of [
    ['scrape_interval', options.scrapeInterval],
    ['evaluation_interval', options.evaluationInterval],
  ] as const) {
    if (value === undefined) continue;
    parseDuration(value); // throws a clear message on e.g. "1 s"
    doc.setIn(['global', key], value);
  }

  const targets: Record<string, readonly string[]> = { ...options.targets };
  for (const job of STACK_JOBS) {
    if (scrapeJobIndex(doc, job) < 0) {
      throw new Error(
        `prometheus.yml has no scrape job "${job}" (jobs: ${scrapeJobNames(doc).join(', ') || 'none'})`,
      );
    }
    targets[job] = [hostPort(options.ports[job])];
  }
  for (const [job, list] of Object.entries(targets)) {
    const bad = list.find((t) => !TARGET_RE.test(t));
    if (bad !== undefined) throw new Error(`target "${bad}" of job "${job}" is not host:port`);
    const index = scrapeJobIndex(doc, job);
    if (index >= 0) {
      doc.setIn(['scrape_configs', index, 'static_configs'], doc.createNode([{ targets: [...list] }]));
    } else {
      const jobs = doc.get('scrape_configs');
      const node = doc.createNode({ job_name: job, static_configs: [{ targets: [...list] }] });
      if (isSeq(jobs)) jobs.add(node);
      else doc.set('scrape_configs', doc.createNode([node]));
    }
  }

  doc.setIn(
    ['alerting', 'alertmanagers'],
    doc.createNode([{ static_configs: [{ targets: [hostPort(options.ports.alertmanager)] }] }]),
  );
  if (options.ruleFiles !== undefined) doc.set('rule_files', doc.createNode([...options.ruleFiles]));
  return doc.toString({ lineWidth: 0 });
}
