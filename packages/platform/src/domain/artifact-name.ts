/**
 * The artifact name template: the subset of Go `text/template` Odahu users write, `{{ .Name }}`, `{{ .Version }}`,
 * `{{ .RandomUUID }}` and `{{ .CommitID }}`. Odahu checked it only after the run, in its result step; Gangplank
 * checks it when the training is submitted.
 */

export const DEFAULT_ARTIFACT_NAME_TEMPLATE = '{{ .Name }}-{{ .Version }}-{{ .RandomUUID }}.zip';

export const TEMPLATE_FIELDS = ['Name', 'Version', 'RandomUUID', 'CommitID'] as const;

import { BadRequestError } from './errors.js';
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

/**
 * Problems of an artifact name sent to `PUT …/result` (by a trainer), checked like a rendered template: the name
 * becomes a file under the run's artifacts and a key in the output bucket, so it must stay a relative name there.
 */
export function artifactNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.trim() === '') problems.push('artifactName must not be empty');
  if (
    name.startsWith('/') ||
    name.split(/[\\/]/).some((part) => part === '..' || part === '.' || part === '')
  ) {
    problems.push(`artifactName "${name}" must be a relative name without empty, "." or ".." parts`);
  }
  if (name.includes('\\') || hasControlCharacters(name)) {
    problems.push('artifactName must not contain "\\" or control characters');
  }
  if (name.length > 255) problems.push('artifactName is longer than 255 characters');
  return problems;
}

/** For the `PUT …/result` route: throws a 400 naming every problem of `artifactName` (absent or empty is allowed). */
export function assertResultArtifactName(artifactName: string | undefined): void {
  if (artifactName === undefined || artifactName === '') return;
  const problems = artifactNameProblems(artifactName);
  if (problems.length > 0) throw new BadRequestError(problems.join('; '));
}
