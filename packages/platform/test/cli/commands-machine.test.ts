/** Runs the end-to-end cases of `e2e/machine-cases.ts` in their order (see `e2e/all-cases.ts` for coverage). */
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { CommandName } from '../../src/cli/commands.js';
import { MACHINE_CASES, setUp, tearDown } from './e2e/machine-cases.js';

beforeAll(setUp);
afterAll(tearDown);

describe('gangplank commands (built CLI, child process)', () => {
  for (const [name, test] of Object.entries(MACHINE_CASES) as [
    CommandName,
    (() => Promise<void>) | 'todo',
  ][]) {
    if (test === 'todo') it.todo(name);
    else it(name, test);
  }
});
