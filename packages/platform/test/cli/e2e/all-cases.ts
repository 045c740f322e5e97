/**
 * Type-level coverage: every command of the command map has an end-to-end case (or an explicit 'todo'), so adding a
 * command without a test fails `tsc -p tsconfig.spec.json` (style anchor 24). The cases run from
 * `commands-server.test.ts` and `commands-machine.test.ts`, split to keep each file short.
 */
import type { CommandName } from '../../../src/cli/commands.js';
import type { Case } from '../support/e2e-harness.js';
import { MACHINE_CASES } from './machine-cases.js';
import { SERVER_CASES } from './server-cases.js';

type Covered = keyof typeof SERVER_CASES | keyof typeof MACHINE_CASES;

/** Fails to compile when a command has no case: its name is then missing from `Covered`. */
export const EVERY_COMMAND_HAS_A_CASE: Record<CommandName, true> = Object.fromEntries(
  [...Object.keys(SERVER_CASES), ...Object.keys(MACHINE_CASES)].map((k) => [k, true]),
) as Record<Covered, true>;

export type { Case };
