import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from '../src/cli-args.js';

describe('parseCliArgs', () => {
  it('defaults the state folder to $GANGPLANK_STACK_DIR, then ./.state/stack', () => {
    expect(parseCliArgs(['up'], {}, '/repo')!.options.stateDir).toBe('/repo/.state/stack');
    expect(parseCliArgs(['up'], { GANGPLANK_STACK_DIR: '/s' }, '/repo')!.options.stateDir).toBe('/s');
    expect(
      parseCliArgs(['up', '--state-dir', '/x'], { GANGPLANK_STACK_DIR: '/s' }, '/repo')!.options.stateDir,
    ).toBe('/x');
  });

  it('reads ports, targets, intervals, the rule time scale and --no-install', () => {
    const request = parseCliArgs(
      [
        'up',
        '--prometheus-port=0',
        '--alertmanager-port',
        '19093',
        '--target',
        'mnist=127.0.0.1:18561',
        '--target',
        'mnist=127.0.0.1:18562',
        '--scrape-interval',
        '1s',
        '--rule-time-scale',
        '0.1',
        '--no-install',
        '--json',
      ],
      {},
      '/repo',
    )!;
    expect(request.command).toBe('up');
    expect(request.json).toBe(true);
    expect(request.options.ports).toEqual({ prometheus: 0, alertmanager: 19093 });
    expect(request.options.targets).toEqual({ mnist: ['127.0.0.1:18561', '127.0.0.1:18562'] });
    expect(request.options.scrapeInterval).toBe('1s');
    expect(request.options.ruleTimeScale).toBe(0.1);
    expect(request.options.install).toBe(false);
  });

  it('asks for the usage with no command or --help', () => {
    expect(parseCliArgs([], {}, '/')).toBeNull();
    expect(parseCliArgs(['up', '-h'], {}, '/')).toBeNull();
  });

  it.each([
    [['start'], /unknown command "start"/],
    [['up', 'now'], /unexpected argument "now"/],
    [['up', '--prometheus-port', '99999'], /--prometheus-port must be a port number/],
    [['up', '--prometheus-port', 'abc'], /--prometheus-port must be a port number/],
    [['up', '--target', 'mnist'], /job=host:port/],
    [['up', '--scrape-interval', '5'], /--scrape-interval: not a Prometheus duration/],
    [['up', '--rule-time-scale', '0'], /positive number/],
    [['up', '--bogus'], /Unknown option '--bogus'/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCliArgs(argv, {}, '/')).toThrow(UsageError);
    expect(() => parseCliArgs(argv, {}, '/')).toThrow(message);
  });
});
