import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { artifactNameProblems, assertResultArtifactName } from '../../src/domain/artifact-name.js';

describe('artifact names sent to PUT …/result', () => {
  it('refuses names that climb, are absolute, empty-parted, or hold control characters', () => {
    for (const name of [
      '../../../etc/passwd',
      '/etc/passwd',
      'a//b',
      'a/./b',
      '..',
      'a\\..\\b',
      'a\0b',
      'x'.repeat(256),
    ]) {
      expect(artifactNameProblems(name), name).not.toEqual([]);
      expect(() => assertResultArtifactName(name)).toThrow('artifactName');
    }
    expect(artifactNameProblems('wine-1.0-2c1f.zip')).toEqual([]);
    expect(artifactNameProblems('models/wine-1.0.zip')).toEqual([]);
    expect(() => assertResultArtifactName('')).not.toThrow();
    expect(() => assertResultArtifactName(undefined)).not.toThrow();
  });

  it('an accepted name always stays inside the artifacts folder (property)', () => {
    const part = fc.constantFrom('..', '.', '', 'a', 'b.zip', '\\', '/', '\0', '%2e%2e');
    fc.assert(
      fc.property(fc.array(part, { maxLength: 8 }), (parts) => {
        const name = parts.join('');
        if (artifactNameProblems(name).length > 0) return;
        const rel = relative('/runs/r/artifacts', join('/runs/r/artifacts', name));
        expect(rel === '' || rel === '..' || rel.startsWith('../')).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});
