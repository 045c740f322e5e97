import { describe, expect, it } from 'vitest';
import { base64Problem } from '../../src/domain/base64.js';
import { connectionToWire } from '../../src/domain/connection-wire.js';
import { validateConnection } from '../../src/domain/validate-connection.js';
import { readConnectionBody } from '../../src/domain/wire.js';

const b64 = (text: string): string => Buffer.from(text).toString('base64');

function check(body: unknown, stored?: Parameters<typeof validateConnection>[1]): string {
  try {
    validateConnection(readConnectionBody(body), stored);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('validateConnection', () => {
  it('decodes base64 secrets and masks them on the wire', () => {
    const spec = validateConnection(
      readConnectionBody({
        id: 's3',
        spec: { type: 's3', uri: 's3://b/p', region: 'eu', keyID: b64('AK'), keySecret: b64('SK') },
      }),
    );
    expect(spec.keyID).toBe('AK');
    expect(spec.keySecret).toBe('SK');
    const at = '2026-01-01T00:00:00.000Z';
    const stored = { id: 's3', createdAt: at, updatedAt: at, spec, status: {} };
    expect(connectionToWire(stored, false).spec).toMatchObject({ keyID: '*****', keySecret: '*****' });
    expect(connectionToWire(stored, true).spec).toMatchObject({ keyID: b64('AK'), keySecret: b64('SK') });
  });

  it('keeps a stored secret when the mask is resent', () => {
    const spec = validateConnection(
      readConnectionBody({ id: 'd', spec: { type: 'docker', uri: 'r', username: 'u', password: '*****' } }),
      { type: 'docker', uri: 'r', username: 'u', password: 'old' },
    );
    expect(spec.password).toBe('old');
    expect(
      check({ id: 'd', spec: { type: 'docker', uri: 'r', username: 'u', password: '*****' } }),
    ).toContain('password is "*****" but no stored value exists');
  });

  it('reports per-type problems with the Odahu prefix', () => {
    expect(check({ id: 'x', spec: { type: 'ftp', uri: 'u' } })).toBe(
      'Validation of connection is failed: unknown type: ftp. Supported types: [s3 gcs azureblob git docker ecr local]',
    );
    expect(check({ id: 'x', spec: { type: 's3', uri: '', keySecret: '!!' } })).toBe(
      'Validation of connection is failed: keySecret must be base64-encoded, error: illegal base64 data at input byte 0; empty uri; s3 type requires that region must be non-empty; s3 type requires that keyID and keySecret parameters must be non-empty',
    );
    expect(check({ id: 'x', spec: { type: 'ecr', uri: 'nope', keyID: b64('a'), keySecret: b64('b') } })).toBe(
      'Validation of connection is failed: not valid uri for ecr type: nope',
    );
  });

  it('accepts git over https without a key and local folders', () => {
    expect(check({ id: 'g', spec: { type: 'git', uri: 'https://github.com/o/r.git' } })).toBe('');
    expect(
      check({ id: 'g', spec: { type: 'git', uri: 'git@github.com:o/r.git', keySecret: b64('key') } }),
    ).toBe('');
    expect(check({ id: 'l', spec: { type: 'local', uri: '/data/wine' } })).toBe('');
    expect(check({ id: 'l', spec: { type: 'local', uri: 'relative' } })).toContain('absolute folder path');
  });

  it('checks base64 like Go', () => {
    expect(base64Problem('YWJj')).toBeUndefined();
    expect(base64Problem('YWI=')).toBeUndefined();
    expect(base64Problem('YWJ')).toBe('illegal base64 data at input byte 0');
    expect(base64Problem('YW*j')).toBe('illegal base64 data at input byte 2');
  });
});
