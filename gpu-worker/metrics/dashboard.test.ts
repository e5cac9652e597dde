import { readFileSync } from 'node:fs';
import { Histogram } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createWorkerMetrics } from './registry.ts';

/** The parts of a Grafana dashboard this test reads. */
interface Dashboard {
  __inputs: Array<{ name: string; type: string; pluginId: string }>;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Array<{ name: string; datasource?: { uid: string }; query?: string | { query: string } }> };
}
interface Panel {
  title: string;
  type: string;
  datasource?: { type: string; uid: string };
  targets?: Array<{ expr: string }>;
  panels?: Panel[];
}

const dashboard = JSON.parse(readFileSync(new URL('../../deploy/grafana/gpu-worker.json', import.meta.url), 'utf8')) as Dashboard;
const panels = dashboard.panels.flatMap((panel) => (panel.type === 'row' ? (panel.panels ?? []) : [panel]));

const metrics = createWorkerMetrics(() => ({ live: { active: 0, queued: 0 }, background: { active: 0, queued: 0 } })).register.getMetricsAsArray();
/** Every series name the worker exports: a histogram as its _bucket, _sum and _count. */
const SERIES = new Set(metrics.flatMap((metric) => (metric instanceof Histogram ? [`${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`] : [metric.name])));
/** Labels the worker sets (prom-client keeps them on each metric), a histogram's `le`, and those Prometheus adds per target. */
const LABELS = new Set([
  ...metrics.flatMap((metric) => (metric as unknown as { labelNames: readonly string[] }).labelNames),
  'le',
  ...['pod', 'namespace', 'instance', 'job'],
]);

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset']);

/** The series and label names a PromQL expression refers to. */
function references(expr: string): { series: string[]; labels: string[] } {
  const labels: string[] = [];
  const rest = expr
    .replace(/\{([^}]*)\}/g, (_, matchers: string) => {
      for (const [, label] of matchers.matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)) labels.push(label!);
      return ' ';
    })
    .replace(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g, (_, names: string) => {
      labels.push(...names.split(',').map((name) => name.trim()).filter(Boolean));
      return ' ';
    })
    .replace(/\[[^\]]*\]/g, ' ') // range selectors: [$__rate_interval], [5m]
    .replace(/"[^"]*"/g, ' ');
  const series = [...rest.matchAll(/(?<![\w$.])([a-zA-Z_:][\w:]*)(?![\w:]|\s*\()/g)].map(([, name]) => name!).filter((name) => !KEYWORDS.has(name));
  return { series, labels };
}

const queries = [
  ...panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: `panel "${panel.title}"`, expr: target.expr }))),
  ...dashboard.templating.list.flatMap(({ name, query }) => {
    const text = typeof query === 'string' ? query : query?.query;
    // label_values(metric, label): the metric is a series, the label a label.
    const args = /^label_values\((\w+),\s*(\w+)\)$/.exec(text ?? '');
    return args ? [{ where: `variable $${name}`, expr: `${args[1]}{${args[2]}=""}` }] : [];
  }),
];

describe('deploy/grafana/gpu-worker.json', () => {
  it('is a Grafana 10 dashboard over a ${DS_PROMETHEUS} input, every panel and variable on it', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(38);
    expect(dashboard.__inputs).toContainEqual(expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }));
    for (const panel of panels) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    }
    for (const variable of dashboard.templating.list) expect(variable.datasource?.uid, variable.name).toBe('${DS_PROMETHEUS}');
  });

  it('queries only series and labels the worker exports', () => {
    expect(queries.length).toBeGreaterThan(panels.length);
    for (const { where, expr } of queries) {
      const { series, labels } = references(expr);
      expect(series.length, `${where}: ${expr}`).toBeGreaterThan(0);
      for (const name of series) expect(SERIES.has(name), `${where} reads "${name}", which the worker does not export`).toBe(true);
      for (const label of labels) expect(LABELS.has(label), `${where} uses label "${label}", which no series has`).toBe(true);
    }
  });

  it('shows every tts_ metric the worker exports', () => {
    const shown = new Set(queries.flatMap(({ expr }) => references(expr).series).map((name) => name.replace(/_(bucket|sum|count)$/, '')));
    for (const { name } of metrics.filter(({ name }) => name.startsWith('tts_'))) expect(shown.has(name), name).toBe(true);
  });

  it('finds a misspelt series or label (the check itself works)', () => {
    expect(references('sum by (pod) (rate(tts_request_total{model=~"$model"}[$__rate_interval]))')).toEqual({
      series: ['tts_request_total'],
      labels: ['model', 'pod'],
    });
    expect(references('histogram_quantile(0.95, sum by (le, model) (rate(tts_engine_step_seconds_bucket[5m])))').series).toEqual(['tts_engine_step_seconds_bucket']);
  });
});
