/**
 * Start-up cost of the `gangplank` CLI, measured side by side in one run (interleaved): the lazy command map
 * (`gangplank --help`, `gangplank train get --help`) against an eager variant that imports every command module
 * and the platform's index first (what a CLI with static imports would pay), with bare `node` as the floor.
 *
 *   npx tsc -b && npx tsx bench/cli-startup.ts [rounds=15]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const rounds = Number(process.argv[2] ?? 15);
const bin = fileURLToPath(new URL('../packages/platform/bin/gangplank.js', import.meta.url));
const dist = fileURLToPath(new URL('../packages/platform/dist/', import.meta.url));

const eager = `
const { COMMANDS } = await import('${dist}cli/commands.js');
await Promise.all(Object.values(COMMANDS).map((c) => c.load()));
await import('${dist}index.js');
const { main } = await import('${dist}cli/main.js');
process.exitCode = await main(['--help'], { ...(await import('${dist}cli/context.js')).processIO(), stdout: { write() {} } });
`;

const variants: Record<string, string[]> = {
  'node -e 0 (floor)': ['-e', '0'],
  'gangplank --help (lazy)': [bin, '--help'],
  'gangplank train get --help (lazy)': [bin, 'train', 'get', '--help'],
  'eager: every command + index, then --help': ['--input-type=module', '-e', eager],
};

const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let i = 0; i < rounds; i++) {
  for (const [name, args] of Object.entries(variants)) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${name} exited with ${r.status}`);
    samples[name]!.push(ms);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const floor = median(samples['node -e 0 (floor)']!);
const lazy = median(samples['gangplank --help (lazy)']!);
console.log(`rounds: ${rounds} (interleaved), median wall ms per process`);
for (const [name, xs] of Object.entries(samples)) {
  const m = median(xs);
  console.log(
    `${name.padEnd(44)} ${m.toFixed(1).padStart(7)} ms   above node: ${(m - floor).toFixed(1).padStart(6)} ms`,
  );
}
const eagerMs = median(samples['eager: every command + index, then --help']!);
console.log(
  `eager / lazy: ${(eagerMs / lazy).toFixed(2)}x; CLI's own cost eager / lazy: ${((eagerMs - floor) / (lazy - floor)).toFixed(2)}x`,
);
