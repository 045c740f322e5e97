/**
 * The artifact name template: the subset of Go `text/template` Odahu users write, `{{ .Name }}`, `{{ .Version }}`,
 * `{{ .RandomUUID }}` and `{{ .CommitID }}`. Odahu checked it only after the run, in its result step; Gangplank
 * checks it when the training is submitted.
 */

export const DEFAULT_ARTIFACT_NAME_TEMPLATE = '{{ .Name }}-{{ .Version }}-{{ .RandomUUID }}.zip';

export const TEMPLATE_FIELDS = ['Name', 'Version', 'RandomUUID', 'CommitID'] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

import { hasControlCharacters } from './id.js';

const ACTION = /\{\{\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Problems of a template: unknown fields, unbalanced braces, characters unsafe in an object name. */
export function artifactNameTemplateProblems(template: string): string[] {
  const problems: string[] = [];
  for (const match of template.matchAll(ACTION)) {
    const field = match[1] ?? '';
    if (!(TEMPLATE_FIELDS as readonly string[]).includes(field)) {
      problems.push(
        `invalid artifact name template: unknown field .${field}, use one of ${TEMPLATE_FIELDS.map((f) => `.${f}`).join(', ')}`,
      );
    }
  }
  const rest = template.replace(ACTION, '');
  if (rest.includes('{{') || rest.includes('}}')) {
    problems.push('invalid artifact name template: every action must look like {{ .Name }}');
  }
  if (/[\\/]/.test(rest) || hasControlCharacters(rest) || rest.includes('..')) {
    problems.push(
      'invalid artifact name template: it must not contain "/", "\\", ".." or control characters',
    );
  }
  if (template.length > 255) problems.push('invalid artifact name template: longer than 255 characters');
  return problems;
}

/** Renders a (valid) template. */
export function renderArtifactName(template: string, values: Record<TemplateField, string>): string {
  return template.replace(ACTION, (_all, field: string) => values[field as TemplateField] ?? '');
}
