import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { LocalExecutor } from '../../src/executors/local.js';
import { tempDir } from '../fixtures/specs.js';
import { describeExecutorConformance } from './conformance.js';

const root = tempDir('gp-conf-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeExecutorConformance('local', {
  make: () => new LocalExecutor({ root: join(root, 'runs'), graceMs: 500 }),
});
