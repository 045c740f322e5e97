/** Resource id and Kubernetes-label rules (Odahu `pkg/validation`). */

/** Odahu's id rule: ≤ 63 characters, lowercase alphanumerics or `-`, starts with a letter, ends alphanumeric. */
export const ID_PATTERN = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Kubernetes label value rule, as Odahu prints it in its messages. */
export const LABEL_PATTERN_TEXT = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';
const LABEL_PATTERN = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Kubernetes limits label values to 63 characters; Odahu did not check it and failed later. */
export const LABEL_MAX_LENGTH = 63;

/** Problems of an id, in Odahu's order and texts. */
export function idProblems(id: string): string[] {
  if (ID_PATTERN.test(id)) return [];
  return id === '' ? ['ID is not valid', 'empty "ID"'] : ['ID is not valid'];
}

/**
 * Problems of a label-like field (`model.name`, `model.version`, `toolchain`). `what` is Odahu's word, e.g.
 * `training name`.
 */
export function labelProblems(what: string, value: string): string[] {
  if (!LABEL_PATTERN.test(value)) {
    return [
      `invalid ${what}: ${value} must be valid Kubernetes label, i.e. match this pattern: ${LABEL_PATTERN_TEXT}`,
    ];
  }
  if (value.length > LABEL_MAX_LENGTH) {
    return [`invalid ${what}: ${value} must be no more than ${LABEL_MAX_LENGTH} characters`];
  }
  return [];
}

/** True when the text holds a C0 control character (NUL…US) or DEL. */
export function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
