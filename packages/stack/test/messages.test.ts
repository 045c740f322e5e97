import { describe, expect, it } from 'vitest';
import { MissingBinaryError, PortInUseError, installDebianPackages } from '@gangplank/stack';

describe('error messages say what to do', () => {
  it('a port held by a stranger names it and the flag to move', () => {
    const error = new PortInUseError(
      [{ service: 'pushgateway', port: 9091, pid: 42, commandLine: 'python3 -m http.server 9091' }],
      '127.0.0.1',
    );
    expect(error.message).toBe(
      'port 9091 (pushgateway) on 127.0.0.1 is in use by pid 42 (python3 -m http.server 9091), which this launcher ' +
        'did not start; stop it or choose another port with --pushgateway-port',
    );
  });

  it('a port held by the stack of another state folder says how to stop that stack', () => {
    const error = new PortInUseError(
      [
        {
          service: 'prometheus',
          port: 9090,
          pid: 7,
          commandLine:
            '/usr/bin/prometheus --config.file=/s/prometheus.yml --storage.tsdb.path=/s/prometheus-data',
        },
        { service: 'alertmanager', port: 9093 },
      ],
      '127.0.0.1',
    );
    const [first, second] = error.message.split('\n');
    expect(first).toContain('it looks like the stack of state folder /s: `down --state-dir /s` stops it');
    expect(second).toBe(
      'port 9093 (alertmanager) on 127.0.0.1 is in use by another process, which this launcher did not start; ' +
        'stop it or choose another port with --alertmanager-port',
    );
  });

  it('missing binaries that may not be installed here name the packages and the apt-get line', () => {
    expect(() => installDebianPackages(['prometheus', 'prometheus-pushgateway'], { install: false })).toThrow(
      MissingBinaryError,
    );
    expect(() => installDebianPackages(['prometheus', 'prometheus-pushgateway'], { install: false })).toThrow(
      'sudo apt-get install -y prometheus prometheus-pushgateway',
    );
  });
});
