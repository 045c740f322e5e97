/**
 * Connection validation (Odahu `connection_validation.go` rules, Gangplank texts where Odahu's are unknown),
 * base64 decoding of the secret fields, and the `*****` rule: a PUT that resends the mask keeps the stored secret
 * (Odahu refused it, so a GET → PUT round trip was impossible). Git over https is allowed and nothing shells out to
 * `ssh-keyscan`. A password in the uri moves to the sealed field of its type or is refused (`uri-credentials.ts`).
 */
import { base64Problem, decodeBase64 } from './base64.js';
import { CONNECTION_VALIDATION_PREFIX, ValidationError } from './errors.js';
import { idProblems } from './id.js';
import type { ConnectionSpec, ConnectionType } from './types.js';
import { BASE64_FIELDS, CONNECTION_TYPES } from './types.js';
import { findUriCredentials, placeUriCredentials } from './uri-credentials.js';
import type { ConnectionBody } from './wire.js';

/** What Odahu puts in place of a secret on reads. */
export const SECRET_MASK = '*****';

const ECR_URI = /^(?:https?:\/\/)?(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\/.*)?$/;
const GIT_URI = /^(?:(?:https?|ssh|git|file):\/\/\S+|[\w.-]+@[\w.-]+:\S+|\/\S*)$/;

/**
 * Validates a connection body and returns the spec with secrets decoded. `stored` is the current spec on a PUT
 * (for `*****`).
 */
export function validateConnection(body: ConnectionBody, stored?: ConnectionSpec): ConnectionSpec {
  const problems: string[] = [...idProblems(body.id)];
  const fields = body.fields;
  const decoded: Partial<Record<(typeof BASE64_FIELDS)[number], string>> = {};

  for (const key of BASE64_FIELDS) {
    const value = fields[key];
    if (value === undefined) continue;
    if (value === SECRET_MASK) {
      const kept = stored?.[key];
      if (kept === undefined)
        problems.push(
          `${key} is "${SECRET_MASK}" but no stored value exists to keep; send it base64-encoded`,
        );
      else decoded[key] = kept;
      continue;
    }
    const problem = base64Problem(value);
    if (problem) problems.push(`${key} must be base64-encoded, error: ${problem}`);
    else decoded[key] = decodeBase64(value);
  }

  // A password in the uri would be stored in clear and shown to every role: it moves to a sealed field.
  const found = findUriCredentials(fields.uri ?? '');
  const uri = found.uri;
  if (uri === '') problems.push('empty uri');
  const type = body.type;
  const spec: ConnectionSpec = { type: type as ConnectionType, uri };
  for (const key of [
    'region',
    'username',
    'role',
    'reference',
    'description',
    'webUILink',
    'endpoint',
  ] as const) {
    const value = fields[key];
    if (value !== undefined) spec[key] = value;
  }
  Object.assign(spec, decoded);
  if (body.vital !== undefined) spec.vital = body.vital;
  problems.push(...placeUriCredentials(spec, found, stored));

  switch (type) {
    case 's3':
      if (!spec.region) problems.push('s3 type requires that region must be non-empty');
      if (spec.role) problems.push('s3 type does not support role parameter yet');
      if (!spec.keyID || !spec.keySecret)
        problems.push('s3 type requires that keyID and keySecret parameters must be non-empty');
      break;
    case 'gcs':
      if (!spec.region) problems.push('gcs type requires that region must be non-empty');
      if (spec.role) problems.push('gcs type does not support role parameter yet');
      if (!spec.keySecret) problems.push('gcs type requires that keySecret parameter must be non-empty');
      break;
    case 'azureblob':
      if (!spec.keySecret)
        problems.push(
          'azureblob type requires that keySecret parameter containsHTTP endpoint with SAS Token',
        );
      break;
    case 'git':
      if (uri !== '' && !GIT_URI.test(uri)) {
        problems.push(`git uri must be an https://, ssh://, git@host:path or file:// address, got: ${uri}`);
      }
      break;
    case 'docker':
      if (!spec.username || !spec.password)
        problems.push('docker type requires that username and password parameters must be non-empty');
      break;
    case 'ecr': {
      const match = ECR_URI.exec(uri);
      if (uri !== '' && !match) problems.push(`not valid uri for ecr type: ${uri}`);
      if (match && !spec.region) spec.region = match[2];
      if (!spec.keyID || !spec.keySecret)
        problems.push('ecr type requires that keyID and keySecret parameters must be non-empty');
      break;
    }
    case 'local':
      if (uri !== '' && !uri.startsWith('/') && !uri.startsWith('file://')) {
        problems.push(`local type requires an absolute folder path or a file:// URI, got: ${uri}`);
      }
      break;
    default:
      problems.push(`unknown type: ${type}. Supported types: [${CONNECTION_TYPES.join(' ')}]`);
  }
  if (uri.includes('\u0000')) problems.push('uri must not contain NUL characters');

  if (problems.length > 0) throw new ValidationError(CONNECTION_VALIDATION_PREFIX, problems);
  return spec;
}
