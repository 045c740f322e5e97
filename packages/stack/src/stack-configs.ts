import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { formatDuration, parseDuration } from './duration.js';
import { renderPrometheusConfig, type StackPorts } from './prometheus-config.js';
import { scaleRuleWindows } from './rule-windows.js';
import type { StackOptions } from './stack-options.js';

const packageDir = fileURLToPath(new URL('../', import.meta.url));

/**
 * Where `prometheus/` and `alertmanager/` come from when `deployDir` is not given: in a checkout (this package is
 * `packages/stack`), the repository's `deploy/`, the copy people edit; in an installed package, the copy that
 * `npm pack` put inside it (`scripts/copy-deploy.mjs`), since no repository is next to it.
 */
export function defaultDeployDir(): string {
  const checkout = join(packageDir, '..', '..', 'deploy');
  const inCheckout =
    basename(dirname(packageDir)) === 'packages' &&
    existsSync(join(checkout, 'prometheus', 'prometheus.yml'));
  return (inCheckout ? checkout : join(packageDir, 'deploy')) + sep;
}

/**
 * Writes the configs of one stack into its state folder: `prometheus.yml` rendered from the project's with the
 * stack's ports, targets and intervals; `rules/*.yml`, windows scaled when asked; `alertmanager.yml`, copied.
 * Returns the paths the services are started with.
 */
export function renderStackConfigs(
  options: StackOptions,
  stateDir: string,
  host: string,
  ports: StackPorts,
): { prometheusConfig: string; alertmanagerConfig: string } {
  const deployDir = options.deployDir ?? defaultDeployDir();
  const sourceConfig = join(deployDir, 'prometheus', 'prometheus.yml');
  if (!existsSync(sourceConfig)) {
    throw new Error(
      `cannot find ${sourceConfig}; pass deployDir (--deploy-dir) pointing at a folder with ` +
        `prometheus/prometheus.yml, prometheus/rules/ and alertmanager/alertmanager.yml (the project's deploy/)`,
    );
  }
  const source = readFileSync(sourceConfig, 'utf8');
  const scrapeInterval =
    options.scrapeInterval ??
    (parseYaml(source) as { global?: { scrape_interval?: string } }).global?.scrape_interval ??
    '1m';
  const timeScale = options.ruleTimeScale ?? 1;

  const rulesDir = join(stateDir, 'rules');
  rmSync(rulesDir, { recursive: true, force: true });
  mkdirSync(rulesDir, { recursive: true });
  const sourceRules = join(deployDir, 'prometheus', 'rules');
  for (const file of readdirSync(sourceRules).filter((f) => /\.ya?ml$/.test(f))) {
    const text = readFileSync(join(sourceRules, file), 'utf8');
    const rendered =
      timeScale === 1
        ? text
        : `# Rendered from ${join(sourceRules, file)} with windows × ${timeScale}; the annotations still name the ` +
          `original windows.\n${scaleRuleWindows(text, { timeScale, minWindow: formatDuration(4 * parseDuration(scrapeInterval)) })}`;
    writeFileSync(join(rulesDir, file), rendered);
  }

  const prometheusConfig = join(stateDir, 'prometheus.yml');
  writeFileSync(
    prometheusConfig,
    `# Rendered by @gangplank/stack from ${sourceConfig}; edit that file, not this one.\n` +
      renderPrometheusConfig(source, {
        host,
        ports,
        targets: options.targets,
        scrapeInterval: options.scrapeInterval,
        evaluationInterval: options.evaluationInterval,
        ruleFiles: [join(rulesDir, '*.yml')],
      }),
  );

  const alertmanagerSource =
    options.alertmanagerConfig ?? join(deployDir, 'alertmanager', 'alertmanager.yml');
  if (!existsSync(alertmanagerSource))
    throw new Error(`Alertmanager config ${resolve(alertmanagerSource)} not found`);
  const alertmanagerConfig = join(stateDir, 'alertmanager.yml');
  writeFileSync(
    alertmanagerConfig,
    `# Copied by @gangplank/stack from ${resolve(alertmanagerSource)}; edit that file, not this one.\n` +
      readFileSync(alertmanagerSource, 'utf8'),
  );
  return { prometheusConfig, alertmanagerConfig };
}
