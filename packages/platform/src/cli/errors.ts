/**
 * Exit codes and the CLI's own errors. 0 success; 1 the training failed or the server refused; 2 usage errors
 * (kubectl and click use 1 and 2 the same way).
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Bad flags, bad files, bad expressions: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A failure that is not the user's typing: a training that failed, a timeout. Exit code 1. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
}
