/**
 * Errors with an HTTP meaning, thrown by the domain and the store and mapped to `{"message": …}` answers by the
 * server. Texts follow Odahu-flow 1.6 where it has one (its CLI and test suites match on them).
 */

/** Base class: `status` is the HTTP status the server answers with. */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = new.target.name;
    this.status = status;
  }
}

/** 404 `entity "<id>" is not found`. */
export class NotFoundError extends ApiError {
  constructor(id: string) {
    super(404, `entity "${id}" is not found`);
  }
}

/** 409 `entity "<id>" already exists`. */
export class AlreadyExistsError extends ApiError {
  constructor(id: string) {
    super(409, `entity "${id}" already exists`);
  }
}

/** 400 with every problem of a request joined by `; ` after Odahu's prefix. */
export class ValidationError extends ApiError {
  readonly problems: readonly string[];
  constructor(prefix: string, problems: readonly string[]) {
    super(400, `${prefix}${problems.join('; ')}`);
    this.problems = problems;
  }
}

/** 400 with a plain message (bad query parameter, vital connection…). */
export class BadRequestError extends ApiError {
  constructor(message: string) {
    super(400, message);
  }
}

/** 401: no or bad credentials. */
export class UnauthorizedError extends ApiError {
  constructor(message: string) {
    super(401, message);
  }
}

/** 403: credentials fine, role insufficient. */
export class ForbiddenError extends ApiError {
  constructor(message: string) {
    super(403, message);
  }
}

/** 409: the run's lease belongs to another worker (a dispatcher lost its claim). */
export class LeaseLostError extends ApiError {
  constructor(runId: string, holder: string | undefined) {
    super(409, `run "${runId}" is claimed by another worker${holder ? ` (${holder})` : ''}`);
  }
}

export const TRAINING_VALIDATION_PREFIX = 'Validation of model training is failed: ';
export const TOOLCHAIN_VALIDATION_PREFIX = 'Validation of toolchain integration is failed: ';
export const CONNECTION_VALIDATION_PREFIX = 'Validation of connection is failed: ';
