/** Runs the end-to-end cases of `e2e/server-cases.ts` in their order (see `e2e/all-cases.ts` for coverage). */
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { CommandName } from '../../src/cli/commands.js';
import { SERVER_CASES, setUp, tearDown } from './e2e/server-cases.js';

beforeAll(setUp);
afterAll(tearDown);

describe('gangplank commands (built CLI, child process)', () => {
  for (const [name, test] of Object.entries(SERVER_CASES) as [
    CommandName,
    (() => Promise<void>) | 'todo',
  ][]) {
    if (test === 'todo') it.todo(name);
    else it(name, test);
  }
});
