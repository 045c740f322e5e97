/** `--help` of every command (in-process through `main`, to keep it fast) and usage-error exit codes. */
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../../src/cli/commands.js';
import type { CliIO } from '../../src/cli/context.js';
import { main } from '../../src/cli/main.js';
import { commandsToLoad } from '../../src/cli/program.js';

function memoryIO(): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    env: { GANGPLANK_CLI_CONFIG: '/nonexistent/gangplank.yaml' },
    cwd: '/',
    home: '/nonexistent',
    now: Date.now,
    sleep: () => Promise.resolve(),
    readStdin: () => '',
    out: () => out,
    err: () => err,
  };
}

describe('help', () => {
  it.each(COMMAND_NAMES)('%s --help shows examples and exits 0', async (name) => {
    const io = memoryIO();
    expect(await main([...name.split(' '), '--help'], io)).toBe(0);
    expect(io.out()).toMatch(new RegExp(`^Usage: gangplank .*\\b${name.split(' ').at(-1)!} `));
    expect(io.out()).toMatch(/Examples:\n {2}\$ gangplank /);
  });

  it('takes `help <command words>` for nested commands', async () => {
    const io = memoryIO();
    expect(await main(['help', 'train', 'get'], io)).toBe(0);
    expect(io.out()).toMatch(/^Usage: gangplank train get \[options\]/);
  });

  it('lists the groups with their aliases at the root', async () => {
    const io = memoryIO();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out()).toContain('toolchain-integration|ti');
    expect(io.out()).toContain('connection|conn');
  });
});

describe('usage errors exit 2', () => {
  it.each([
    [['train', 'get', '--bogus']],
    [['train']],
    [['nonsense']],
    [['train', 'delete']],
    [['completion', 'fish']],
    [['train', 'get', '-o', 'xml']],
  ])('%j', async (argv) => {
    const io = memoryIO();
    expect(await main(argv, io)).toBe(2);
    expect(io.err()).not.toBe('');
  });
});

describe('lazy loading', () => {
  it('loads only the commands of the group on the command line', () => {
    expect([...commandsToLoad(['--url', 'x', 'ti', 'get'])]).toEqual([
      'toolchain-integration get',
      'toolchain-integration create',
      'toolchain-integration edit',
      'toolchain-integration delete',
    ]);
    expect(commandsToLoad(['--help']).size).toBe(0);
    expect([...commandsToLoad(['help', 'serve'])]).toEqual(['serve']);
    expect(commandsToLoad([], true).size).toBe(COMMAND_NAMES.length);
  });
});
