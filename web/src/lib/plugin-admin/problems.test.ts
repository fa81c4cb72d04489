import { describe, expect, it } from 'vitest';
import { parseProblem } from '../api/errors';
import { compareVersions, problemWhere, shortDigest } from './format';

describe('upload failure problems', () => {
  const body = {
    type: 'about:blank',
    title: 'Invalid package',
    status: 400,
    detail: 'The package has 3 problems.',
    code: 'package.invalid',
    problems: [
      { code: 'manifest.required', pointer: '/name', message: 'name is required.' },
      { code: 'package.path_traversal', entry: '../evil.js', message: 'Entry names may not contain "..".' },
      { code: 'manifest.capability', pointer: '/capabilities/0', message: 'Unknown capability "net".' },
      { pointer: '/x' },
      'garbage',
    ],
  };

  it('parseProblem_UploadFailure_KeepsEveryProblemInOrder', () => {
    const e = parseProblem(400, JSON.stringify(body));
    expect(e.code).toBe('package.invalid');
    expect(e.problems).toEqual([
      { code: 'manifest.required', pointer: '/name', message: 'name is required.' },
      { code: 'package.path_traversal', entry: '../evil.js', message: 'Entry names may not contain "..".' },
      { code: 'manifest.capability', pointer: '/capabilities/0', message: 'Unknown capability "net".' },
    ]);
    expect(e.describe()).toContain('../evil.js: Entry names may not contain "..".');
  });

  it('parseProblem_ProblemWithoutCode_GetsGenericCode', () => {
    const e = parseProblem(400, JSON.stringify({ problems: [{ message: 'Bad.' }] }));
    expect(e.problems).toEqual([{ code: 'problem', message: 'Bad.' }]);
  });

  it('parseProblem_DependencyConflict_CarriesDependents', () => {
    const e = parseProblem(409, JSON.stringify({ code: 'dependency.required_by_others', detail: 'Others need it.', dependents: ['a.b', 7, 'c.d'] }));
    expect(e.dependents).toEqual(['a.b', 'c.d']);
    expect(e.problems).toEqual([]);
  });

  it('parseProblem_TooLarge_NoBody_Readable', () => {
    const e = parseProblem(413, '');
    expect(e.code).toBe('http.413');
    expect(e.problems).toEqual([]);
    expect(e.dependents).toEqual([]);
  });

  it('problemWhere_PointerElseEntry', () => {
    expect(problemWhere({ pointer: '/name', entry: 'manifest.json' })).toBe('/name');
    expect(problemWhere({ entry: 'a/b.js' })).toBe('a/b.js');
    expect(problemWhere({ pointer: '' })).toBe('(manifest)');
    expect(problemWhere({})).toBe('');
  });
});

describe('format helpers', () => {
  it('compareVersions_SemverPrecedence', () => {
    expect(compareVersions('1.0.0', '1.0.1')).toBe(-1);
    expect(compareVersions('1.10.0', '1.9.0')).toBe(1);
    expect(compareVersions('1.0.0-beta', '1.0.0')).toBe(-1);
    expect(compareVersions('1.0.0-alpha.2', '1.0.0-alpha.10')).toBe(-1);
    expect(compareVersions('1.0.0+build', '1.0.0')).toBe(0);
  });
  it('shortDigest_StripsPrefixAndShortens', () => {
    expect(shortDigest('sha256:0123456789abcdef0123')).toBe('0123456789ab…');
    expect(shortDigest('abc')).toBe('abc');
  });
});
