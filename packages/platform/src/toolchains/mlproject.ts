/**
 * MLflow `MLproject` files, parsed and rendered without MLflow. Pure.
 *
 * Rendering follows MLflow's rules: `{name}` placeholders (Python `str.format`, `{{`/`}}` escape braces) are
 * replaced by parameter values; declared parameters without a default must be given; values given for parameters the
 * entry point does not declare are appended as `--name value`; `float`/`int` values must be numbers; a `path` value
 * becomes an absolute path inside the project. Every value is quoted for the place it stands in (unquoted, `'…'`,
 * `"…"`), so a hyperparameter is always one literal word: `1; rm -rf ~` or `$(id)` arrives as exactly that text, and
 * a template whose placeholders stand where that cannot hold (inside `$(…)`, backticks, a here-document …) is
 * refused before anything runs.
 */
import { isAbsolute, resolve } from 'node:path';
import { renderCommandTemplate, type CommandTemplate } from './command-render.js';
import { CommandTemplateError, parseCommandTemplate } from './command-template.js';
import { shellQuote } from './shell-quote.js';
import { yamlLibrary } from '../domain/yaml-library.js';

export type MLprojectParameterType = 'string' | 'float' | 'int' | 'path' | 'uri';

export interface MLprojectParameter {
  type: MLprojectParameterType;
  default?: string;
}

export interface MLprojectEntryPoint {
  parameters: Record<string, MLprojectParameter>;
  command: string;
}

export interface MLproject {
  name?: string;
  /** Environment files named by the project (informational: dependencies come from the dependency cache). */
  condaEnv?: string;
  pythonEnv?: string;
  entryPoints: Record<string, MLprojectEntryPoint>;
}

export class MLprojectError extends Error {
  override name = 'MLprojectError';
}

const TYPES = new Set(['string', 'float', 'int', 'integer', 'path', 'uri']);

/** Parses the text of an MLproject file; throws MLprojectError with the offending field. */
export function parseMLproject(text: string): MLproject {
  let doc: unknown;
  try {
    doc = yamlLibrary().parse(text);
  } catch (error) {
    throw new MLprojectError(`MLproject is not valid YAML: ${(error as Error).message}`);
  }
  if (!isRecord(doc)) throw new MLprojectError('MLproject must be a YAML mapping');
  const rawEntries = doc.entry_points;
  if (!isRecord(rawEntries) || Object.keys(rawEntries).length === 0) {
    throw new MLprojectError('MLproject has no entry_points');
  }
  const entryPoints: Record<string, MLprojectEntryPoint> = {};
  for (const [name, raw] of Object.entries(rawEntries)) {
    if (!isRecord(raw) || typeof raw.command !== 'string' || raw.command.trim() === '') {
      throw new MLprojectError(`MLproject entry point "${name}" has no command`);
    }
    const parameters: Record<string, MLprojectParameter> = {};
    const rawParams = raw.parameters ?? {};
    if (!isRecord(rawParams))
      throw new MLprojectError(`MLproject entry point "${name}": parameters must be a mapping`);
    for (const [param, spec] of Object.entries(rawParams)) {
      parameters[param] = parseParameter(name, param, spec);
    }
    entryPoints[name] = { parameters, command: raw.command };
  }
  return {
    ...(typeof doc.name === 'string' ? { name: doc.name } : {}),
    ...(typeof doc.conda_env === 'string' ? { condaEnv: doc.conda_env } : {}),
    ...(typeof doc.python_env === 'string' ? { pythonEnv: doc.python_env } : {}),
    entryPoints,
  };
}

function parseParameter(entry: string, param: string, spec: unknown): MLprojectParameter {
  const where = `MLproject entry point "${entry}", parameter "${param}"`;
  if (typeof spec === 'string') {
    if (!TYPES.has(spec)) throw new MLprojectError(`${where}: unknown type "${spec}"`);
    return { type: normaliseType(spec) };
  }
  if (spec === null || spec === undefined) return { type: 'string' };
  if (!isRecord(spec)) throw new MLprojectError(`${where}: expected a type or {type, default}`);
  const type =
    typeof spec.type === 'string'
      ? spec.type
      : spec.type === undefined
        ? 'string'
        : JSON.stringify(spec.type);
  if (!TYPES.has(type)) throw new MLprojectError(`${where}: unknown type "${type}"`);
  const def = spec.default;
  return {
    type: normaliseType(type),
    ...(def === undefined || def === null
      ? {}
      : { default: typeof def === 'string' ? def : JSON.stringify(def) }),
  };
}

function normaliseType(type: string): MLprojectParameterType {
  return type === 'integer' ? 'int' : (type as MLprojectParameterType);
}

export interface RenderOptions {
  /** Project folder: `path` parameters are made absolute against it. */
  projectDir: string;
}

/** Renders the shell command of `entryPoint` with `values`; throws MLprojectError on missing or bad values. */
export function renderEntryPoint(
  project: MLproject,
  entryPoint: string,
  values: Record<string, string>,
  options: RenderOptions,
): string {
  const entry = project.entryPoints[entryPoint];
  if (!entry) {
    const known = Object.keys(project.entryPoints).join(', ');
    throw new MLprojectError(`entry point "${entryPoint}" is not in MLproject (it has: ${known})`);
  }
  const missing = Object.entries(entry.parameters)
    .filter(([name, p]) => values[name] === undefined && p.default === undefined)
    .map(([name]) => `'${name}'`);
  if (missing.length > 0)
    throw new MLprojectError(`No value given for missing parameters: ${missing.join(', ')}`);
  const given: Record<string, string> = {};
  for (const [name, p] of Object.entries(entry.parameters)) {
    given[name] = convert(name, p.type, values[name] ?? p.default!, options);
  }
  const extraNames = Object.keys(values)
    .filter((name) => !(name in entry.parameters))
    .sort();
  for (const name of [...Object.keys(given), ...extraNames]) {
    if ((given[name] ?? values[name] ?? '').includes('\0') || name.includes('\0'))
      throw new MLprojectError(`parameter "${name}" contains a NUL character, which no command can receive`);
  }
  const command = renderCommand(entry.command, entryPoint, given, extraNames.length > 0);
  const extra = extraNames.map((name) => `--${shellQuote(name)} ${shellQuote(values[name]!)}`);
  return [command, ...extra].join(' ');
}

/**
 * Fills the placeholders of a command template, each quoted for where it stands (see `command-template.ts`). A
 * template that cannot be read safely is refused only when something would be put into it.
 */
function renderCommand(
  template: string,
  entryPoint: string,
  values: Record<string, string>,
  appending: boolean,
): string {
  const where = `the command of entry point "${entryPoint}"`;
  let parsed: CommandTemplate;
  try {
    parsed = parseCommandTemplate(template);
  } catch (error) {
    if (!(error instanceof CommandTemplateError)) throw error;
    const hasPlaceholder = /\{[^{}]*\}/.test(template.replace(/\{\{|\}\}/g, ''));
    if (!hasPlaceholder && !appending) return template.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
    throw new MLprojectError(`${where}: ${error.message}`, { cause: error });
  }
  if (appending && (parsed.hasHereDocument || parsed.endsInComment)) {
    const what = parsed.hasHereDocument ? 'has a here-document' : 'ends with a comment';
    throw new MLprojectError(
      `${where} ${what}, so parameters it does not declare cannot be appended to it; declare them in MLproject`,
    );
  }
  return renderCommandTemplate(parsed, (name) => {
    const value = values[name];
    if (value === undefined) {
      throw new MLprojectError(`${where} uses {${name}}, which is not one of its parameters`);
    }
    return value;
  });
}

function convert(name: string, type: MLprojectParameterType, value: string, options: RenderOptions): string {
  switch (type) {
    case 'float':
      if (value.trim() === '' || !Number.isFinite(Number(value))) {
        throw new MLprojectError(`parameter "${name}" must be a float, got "${value}"`);
      }
      return value;
    case 'int':
      if (!/^[+-]?\d+$/.test(value.trim()))
        throw new MLprojectError(`parameter "${name}" must be an int, got "${value}"`);
      return value.trim();
    case 'path':
      return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) || isAbsolute(value)
        ? value
        : resolve(options.projectDir, value);
    default:
      return value;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
