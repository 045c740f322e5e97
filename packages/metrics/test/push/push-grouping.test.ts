import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64url, groupingKeyId, groupingPath, isPlainSegment } from '../../src/push/grouping.js';

function decode(b64: string): string {
  return b64 === '=' ? '' : Buffer.from(b64, 'base64url').toString('utf8');
}

describe('groupingPath', () => {
  it('builds /metrics/job/<job>{/<label>/<value>} in the given order', () => {
    expect(groupingPath({ job: 'mnist' })).toBe('/metrics/job/mnist');
    expect(
      groupingPath({ job: 'mnist', grouping: { run_id: 'r1', instance: 'worker-0', phase: 'train' } }),
    ).toBe('/metrics/job/mnist/run_id/r1/instance/worker-0/phase/train');
  });

  it('sends values with "/" as base64url (the gateway answers 301 to %2F)', () => {
    expect(groupingPath({ job: 'j', grouping: { path: '/var/tmp' } })).toBe(
      '/metrics/job/j/path@base64/L3Zhci90bXA',
    );
  });

  it('sends an empty value as name@base64/= (works anywhere in the path)', () => {
    expect(groupingPath({ job: 'j', grouping: { a: '', b: 'x' } })).toBe('/metrics/job/j/a@base64/=/b/x');
  });

  it('base64-encodes the job too when needed', () => {
    expect(groupingPath({ job: 'team/mnist' })).toBe(
      `/metrics/job@base64/${Buffer.from('team/mnist').toString('base64url')}`,
    );
  });

  it('encodes "." and ".." (a router would clean those segments away), spaces and unicode', () => {
    expect(groupingPath({ job: 'j', grouping: { a: '.', b: '..', c: 'a b', d: 'é' } })).toBe(
      `/metrics/job/j/a@base64/${base64url('.')}/b@base64/${base64url('..')}/c@base64/${base64url('a b')}/d@base64/${base64url('é')}`,
    );
  });

  it('sanitises invalid label names instead of failing, and ignores a job label', () => {
    expect(groupingPath({ job: 'j', grouping: { 'worker-rank': '0', __x: 'y', job: 'other' } })).toBe(
      '/metrics/job/j/worker_rank/0/x/y',
    );
  });

  it('round-trips any value through the path (property)', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const path = groupingPath({ job: 'j', grouping: { v: value } });
        const rest = path.slice('/metrics/job/j/'.length);
        if (rest.startsWith('v@base64/')) return decode(rest.slice('v@base64/'.length)) === value;
        return rest === `v/${value}` && isPlainSegment(value);
      }),
    );
  });
});

describe('groupingKeyId', () => {
  it('ignores label order and tells groups apart', () => {
    expect(groupingKeyId({ job: 'j', grouping: { a: '1', b: '2' } })).toBe(
      groupingKeyId({ job: 'j', grouping: { b: '2', a: '1' } }),
    );
    expect(groupingKeyId({ job: 'j', grouping: { phase: 'train' } })).not.toBe(
      groupingKeyId({ job: 'j', grouping: { phase: 'test' } }),
    );
  });
});
