import { describe, expect, it } from 'vitest';
import {
  InvalidGatewayAddressError,
  formatGatewayAddress,
  parseGatewayAddress,
} from '../../src/push/address.js';

describe('parseGatewayAddress', () => {
  it('accepts host:port without a scheme as http', () => {
    expect(parseGatewayAddress('127.0.0.1:9091')).toEqual({
      protocol: 'http:',
      host: '127.0.0.1',
      port: 9091,
      pathPrefix: '',
    });
    expect(parseGatewayAddress('localhost')).toMatchObject({
      protocol: 'http:',
      host: 'localhost',
      port: 80,
    });
  });

  it('keeps https, a path prefix (without trailing slash) and credentials', () => {
    expect(parseGatewayAddress('https://user:p%40ss@pgw.example.com/prefix/pgw/')).toEqual({
      protocol: 'https:',
      host: 'pgw.example.com',
      port: 443,
      pathPrefix: '/prefix/pgw',
      username: 'user',
      password: 'p@ss',
    });
  });

  it('handles IPv6 literals', () => {
    const a = parseGatewayAddress('http://[::1]:9091');
    expect(a.host).toBe('::1');
    expect(formatGatewayAddress(a)).toBe('http://[::1]:9091');
  });

  it('rejects unusable addresses with a message saying what is expected', () => {
    expect(() => parseGatewayAddress('ftp://host:21')).toThrow(InvalidGatewayAddressError);
    expect(() => parseGatewayAddress('ftp://host:21')).toThrow(/scheme must be http or https/);
    expect(() => parseGatewayAddress('http://')).toThrow(/invalid Pushgateway address/);
    expect(() => parseGatewayAddress('127.0.0.1:9091?x=1')).toThrow(/query/);
  });
});
