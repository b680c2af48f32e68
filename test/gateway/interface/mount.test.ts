/** Prefix mounts: longest prefix wins on segment boundaries, and the app sees its path stripped. */
import { GatewayError } from '../../../gateway/errors.ts';
import { matchRoute, normalizePrefix, stripPrefix } from '../../../gateway/interface/index.ts';
import { sortRoutes } from '../../../gateway/interface/mount.ts';

const routes = sortRoutes(['/', '/api', '/api/v2', '/admin'].map((p) => ({ prefix: normalizePrefix(p), target: p })));

describe('matchRoute', () => {
  test.each([
    ['/', '/'],
    ['/anything/else', '/'],
    ['/api', '/api'],
    ['/api/', '/api'],
    ['/api?x=1', '/api'],
    ['/api/users', '/api'],
    ['/apix', '/'],
    ['/api/v2', '/api/v2'],
    ['/api/v2/things?q', '/api/v2'],
    ['/api/v20', '/api'],
    ['/admin#frag', '/admin'],
  ])('%s → the %s app', (url, mount) => {
    expect(matchRoute(routes, url)?.target).toBe(mount);
  });

  test('without a "/" mount an unknown path matches nothing (→ 404)', () => {
    const noRoot = sortRoutes([{ prefix: '/api', target: 'api' }]);
    expect(matchRoute(noRoot, '/other')).toBeUndefined();
    expect(matchRoute(noRoot, '/api/x')?.target).toBe('api');
  });
});

describe('stripPrefix (SCRIPT_NAME / PATH_INFO)', () => {
  test.each([
    ['/api/users?x=1', '/api', '/users?x=1'],
    ['/api', '/api', '/'],
    ['/api?x=1', '/api', '/?x=1'],
    ['/api/', '/api', '/'],
    ['/anything', '', '/anything'],
  ])('%s under %p → %s', (url, prefix, want) => {
    expect(stripPrefix(url, prefix)).toBe(want);
  });
});

describe('normalizePrefix and sortRoutes', () => {
  test('"/" becomes the root route', () => expect(normalizePrefix('/')).toBe(''));
  test.each(['', 'api', '/api/', '//', '/a b'])('refuses %p with CONFIG_INVALID', (prefix) => {
    expect(() => normalizePrefix(prefix)).toThrow(GatewayError);
    try {
      normalizePrefix(prefix);
    } catch (error) {
      expect((error as GatewayError).code).toBe('CONFIG_INVALID');
    }
  });
  test('two apps at one prefix are refused', () => {
    expect(() => sortRoutes([{ prefix: '/a', target: 1 }, { prefix: '/a', target: 2 }])).toThrow('two apps are mounted at "/a"');
  });
});
