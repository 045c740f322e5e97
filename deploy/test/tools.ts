/** Runs the real promtool and amtool on the project's files, for the deploy tests. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureBinaries } from '@gangplank/stack';

export const deployDir = fileURLToPath(new URL('../', import.meta.url));

export interface ToolResult {
  status: number | null;
  output: string;
}

export function runTool(tool: 'promtool' | 'amtool', args: readonly string[], cwd = deployDir): ToolResult {
  const bin = ensureBinaries([tool])[tool]!;
  const result = spawnSync(bin, [...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
