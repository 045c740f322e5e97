import { describe, expect, it } from 'vitest';
import { downReport, statusReport, upReport, type StackInfo } from '@gangplank/stack';

const info: StackInfo = {
  stateDir: '/repo/.state/stack',
  services: {
    pushgateway: {
      name: 'pushgateway',
      url: 'http://127.0.0.1:9091',
      port: 9091,
      pid: 11,
      logFile: 'x',
      origin: 'reused',
    },
    alertmanager: {
      name: 'alertmanager',
      url: 'http://127.0.0.1:9093',
      port: 9093,
      pid: 12,
      logFile: 'x',
      origin: 'started',
    },
    prometheus: {
      name: 'prometheus',
      url: 'http://127.0.0.1:9090',
      port: 9090,
      pid: 13,
      logFile: 'x',
      origin: 'started',
    },
  },
};

describe('reports', () => {
  it('up lists Prometheus, Pushgateway, Alertmanager with URLs and says how to stop, with the caller’s command', () => {
    expect(upReport(info, { cwd: '/repo', command: 'gangplank stack' })).toEqual([
      'gangplank stack is up (state folder .state/stack):',
      '  Prometheus    http://127.0.0.1:9090    pid 13       started',
      '  Pushgateway   http://127.0.0.1:9091    pid 11       reused',
      '  Alertmanager  http://127.0.0.1:9093    pid 12       started',
      'Stop it with: gangplank stack down --state-dir .state/stack',
    ]);
    // Outside the working directory the absolute path is shown.
    expect(upReport(info, { cwd: '/elsewhere' }).at(-1)).toBe(
      'Stop it with: node packages/stack/dist/cli.js down --state-dir /repo/.state/stack',
    );
  });

  it('down and status say what happened and why', () => {
    expect(
      downReport([
        { name: 'prometheus', pid: 13, outcome: 'stopped' },
        { name: 'alertmanager', pid: 12, outcome: 'left-alone' },
        { name: 'pushgateway', outcome: 'not-running' },
      ]),
    ).toEqual([
      '  Prometheus    stopped (pid 13)',
      '  Pushgateway   was not running',
      '  Alertmanager  not stopped: pid 12 now belongs to another program',
    ]);
    expect(
      statusReport(
        {
          stateDir: '/repo/.state/stack',
          running: false,
          services: [
            { name: 'prometheus', state: 'running', pid: 13, url: 'http://127.0.0.1:9090' },
            {
              name: 'pushgateway',
              state: 'stopped',
              pid: 11,
              detail: 'pid 11 has exited; its log is pushgateway.log',
            },
            { name: 'alertmanager', state: 'stopped' },
          ],
        },
        { cwd: '/repo' },
      ),
    ).toEqual([
      'gangplank stack (state folder .state/stack):',
      '  Prometheus    running http://127.0.0.1:9090 pid 13',
      '  Pushgateway   stopped (pid 11 has exited; its log is pushgateway.log)',
      '  Alertmanager  stopped',
    ]);
  });
});
