/** ToolchainIntegration validation: Odahu's texts (`empty entrypoint`, `empty defaultImage`). */
import { TOOLCHAIN_VALIDATION_PREFIX, ValidationError } from './errors.js';
import { idProblems } from './id.js';
import type { ToolchainIntegrationSpec } from './types.js';
import type { readToolchainBody } from './wire.js';

export function validateToolchain(body: ReturnType<typeof readToolchainBody>): ToolchainIntegrationSpec {
  const problems = idProblems(body.id);
  if (body.entrypoint === '') problems.push('empty entrypoint');
  if (body.defaultImage === '') problems.push('empty defaultImage');
  for (const name of Object.keys(body.additionalEnvironments ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      problems.push(`invalid additionalEnvironments name "${name}"`);
  }
  if (problems.length > 0) throw new ValidationError(TOOLCHAIN_VALIDATION_PREFIX, problems);
  const spec: ToolchainIntegrationSpec = { entrypoint: body.entrypoint, defaultImage: body.defaultImage };
  if (body.additionalEnvironments) spec.additionalEnvironments = body.additionalEnvironments;
  if (body.kind !== undefined) spec.kind = body.kind;
  if (body.command) spec.command = body.command;
  return spec;
}
