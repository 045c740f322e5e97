import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { deployDir } from './tools.js';

// The rules alert on metrics that other parts of the repository produce. This test keeps the two in step: every
// metric a rule reads must be one we know a producer for, and the producer's source must still contain the name.
// A rename in @gangplank/metrics fails here instead of silently muting an alert.

const metricsSrc = join(deployDir, '..', 'packages', 'metrics', 'src');

/** Where each metric comes from; for `gangplank_{train,test}_*` names the exporter builds them from a prefix. */
const PRODUCERS: Record<string, { by: string; find: string }> = {
  gangplank_predict_total: { by: 'metrics', find: "'gangplank_predict_total'" },
  gangplank_predict_drift_detected_total: { by: 'metrics', find: "'gangplank_predict_drift_detected_total'" },
  gangplank_predict_drift_p_value: { by: 'metrics', find: "'gangplank_predict_drift_p_value'" },
  gangplank_predict_latency_seconds: { by: 'metrics', find: "'gangplank_predict_latency_seconds'" },
  gangplank_predict_errors_total: { by: 'metrics', find: "'gangplank_predict_errors_total'" },
  gangplank_exporter_push_failures_total: { by: 'metrics', find: "'gangplank_exporter_push_failures_total'" },
  gangplank_train_nonfinite_loss_total: { by: 'metrics', find: '_nonfinite_loss_total`' },
  gangplank_train_status: { by: 'metrics', find: '_status`' },
  // From the training's log keys (Keras/TF.js `loss`, `val_loss`), pushed as gangplank_<phase>_<key>.
  gangplank_train_loss: { by: 'log key', find: '' },
  gangplank_train_val_loss: { by: 'log key', find: '' },
  push_time_seconds: { by: 'Pushgateway', find: '' },
  push_failure_time_seconds: { by: 'Pushgateway', find: '' },
  up: { by: 'Prometheus', find: '' },
};

function sources(dir: string): string {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
    .join('\n');
}

const exprs = readdirSync(join(deployDir, 'prometheus', 'rules')).flatMap((f) =>
  (
    parse(readFileSync(join(deployDir, 'prometheus', 'rules', f), 'utf8')) as {
      groups: { rules: { expr: string }[] }[];
    }
  ).groups.flatMap((g) => g.rules.map((r) => r.expr)),
);

/** Metric names a PromQL expression selects (not functions, keywords, labels, strings or recording rules). */
function selectedMetrics(expr: string): string[] {
  const bare = expr
    .replace(/"[^"]*"/g, '""')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  const keywords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'Inf', 'NaN']);
  return [...bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)]
    .filter((m) => m[2] === undefined && !keywords.has(m[1]!) && !m[1]!.includes(':'))
    .map((m) => m[1]!.replace(/_(bucket|count|sum)$/, ''));
}

describe('metric names the rules read', () => {
  const read = new Set(exprs.flatMap(selectedMetrics));
  // The regex selector of TrainingLossNotFinite stands for these.
  for (const n of ['gangplank_train_loss', 'gangplank_train_val_loss']) read.add(n);

  it('all have a known producer', () => {
    expect(read.size).toBeGreaterThanOrEqual(12);
    expect([...read].filter((n) => !(n in PRODUCERS) && !n.includes(':')).sort()).toEqual([]);
  });

  it.each(Object.entries(PRODUCERS).filter(([, p]) => p.by === 'metrics'))(
    '%s is still produced by @gangplank/metrics',
    (_name, producer) => {
      expect(sources(metricsSrc)).toContain(producer.find);
    },
  );
});
