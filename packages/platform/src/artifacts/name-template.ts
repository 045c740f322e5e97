/**
 * Odahu's artifact name template (`{{ .Name }}-{{ .Version }}-{{ .RandomUUID }}.zip`), a Go text/template subset:
 * `{{ .Field }}` with the fields `Name`, `Version`, `RandomUUID` and `CommitID` — all four really filled (Odahu left
 * `CommitID` empty). Anything else between `{{ }}` is an error, found by `validateArtifactNameTemplate` before a
 * run starts rather than after training (Odahu only failed in its result step). Pure.
 */
export interface ArtifactNameFields {
  Name: string;
  Version: string;
  RandomUUID: string;
  CommitID: string;
}

const FIELDS = new Set(['Name', 'Version', 'RandomUUID', 'CommitID']);
const ACTION = /\{\{-?\s*(.*?)\s*-?\}\}/g;

/** Problems of a template, empty when it is usable. */
export function validateArtifactNameTemplate(template: string): string[] {
  const problems: string[] = [];
  if (template.trim() === '') problems.push('artifact name template is empty');
  for (const match of template.matchAll(ACTION)) {
    const field = /^\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(match[1] ?? '')?.[1];
    if (!field || !FIELDS.has(field)) {
      problems.push(
        `artifact name template: "${match[0]}" is not one of {{ .Name }}, {{ .Version }}, {{ .RandomUUID }}, {{ .CommitID }}`,
      );
    }
  }
  const rest = template.replace(ACTION, '');
  if (rest.includes('{{') || rest.includes('}}'))
    problems.push('artifact name template has an unclosed {{ }} action');
  return problems;
}

/** Renders the template; throws when it is invalid or renders to a path that could escape its folder. */
export function renderArtifactName(template: string, fields: ArtifactNameFields): string {
  const problems = validateArtifactNameTemplate(template);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const name = template.replace(
    ACTION,
    (_, expr: string) => fields[expr.slice(1) as keyof ArtifactNameFields],
  );
  if (
    name.startsWith('/') ||
    name.split('/').some((part) => part === '..' || part === '') ||
    name.includes('\0')
  ) {
    throw new Error(`artifact name "${name}" must be a relative name without empty or ".." parts`);
  }
  return name;
}
