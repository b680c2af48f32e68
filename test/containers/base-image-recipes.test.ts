/**
 * The pure parts of the stand-in base images: which mirror they are built from (the machine's apt
 * sources, never a host name of ours), which official names they must carry (the Dockerfiles'
 * FROM lines), and when a recipe change forces a rebuild.
 */
import { imageSourcesText, mirrorFor, parseDeb822Sources, parseOneLineSources } from '../../scripts/lib/base-image-apt-sources.ts';
import { HTTPD_CONF, HTTPD_WRAPPER, httpdDockerfile, nginxDockerfile, nodeDockerfile, recipeHash } from '../../scripts/lib/base-image-recipes.ts';
import { baseImagesOf } from '../../scripts/lib/base-image-tags.ts';

const DEB822 = `Types: deb
# a comment line
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://src.example/debian
Suites: bookworm
Components: main

Types: deb
Enabled: no
URIs: http://disabled.example/debian
Suites: bookworm
Components: main

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
`;

describe('apt sources', () => {
  it('reads deb822 stanzas, skipping source-only and disabled ones', () => {
    expect(parseDeb822Sources(DEB822)).toEqual([
      { uri: 'http://mirror.example/debian', suites: ['bookworm', 'bookworm-updates'], components: ['main'] },
      { uri: 'http://mirror.example/debian-security', suites: ['bookworm-security'], components: ['main'] },
    ]);
  });

  it('reads one-line sources with options and comments', () => {
    const text = '# deb http://old.example/debian buster main\ndeb [arch=amd64 signed-by=/k.gpg] http://one.example/debian bookworm main contrib\n';
    expect(parseOneLineSources(text)).toEqual([{ uri: 'http://one.example/debian', suites: ['bookworm'], components: ['main', 'contrib'] }]);
  });

  it('picks the mirror of the suite itself, and names what it found when there is none', () => {
    const sources = parseDeb822Sources(DEB822);
    expect(mirrorFor('bookworm', sources)).toBe('http://mirror.example/debian');
    expect(() => mirrorFor('trixie', sources)).toThrow(/trixie main.*mirror\.example/);
  });

  it('gives the image the suite with its -updates and -security sources', () => {
    const text = imageSourcesText('bookworm', parseDeb822Sources(DEB822));
    expect(text).toContain('URIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates');
    expect(text).toContain('Suites: bookworm-security');
    expect(text).not.toContain('disabled.example');
  });
});

describe('base images named by Dockerfiles', () => {
  it('follows ARG defaults, skips earlier stages and scratch, sorts by stand-in', () => {
    const gateway = `ARG NODE_IMAGE=node:24-bookworm-slim
FROM \${NODE_IMAGE} AS deps
FROM deps AS build
FROM $NODE_IMAGE
FROM scratch AS empty
`;
    const nginx = 'ARG NGINX_IMAGE="nginx:1.27-bookworm"\nFROM --platform=linux/amd64 ${NGINX_IMAGE}\nFROM docker.io/library/busybox:1\n';
    const apache = 'ARG NODE_IMAGE=node:24-bookworm-slim\nARG HTTPD_IMAGE=httpd:2.4-bookworm\nFROM ${NODE_IMAGE} AS build\nFROM ${HTTPD_IMAGE}\n';
    expect(baseImagesOf([gateway, nginx, apache])).toEqual({
      node: ['node:24-bookworm-slim'],
      nginx: ['nginx:1.27-bookworm'],
      httpd: ['httpd:2.4-bookworm'],
      other: ['docker.io/library/busybox:1'],
    });
  });
});

describe('recipes', () => {
  it('carry the pinned Node version, the CA bundle and the official nginx layout', () => {
    const node = nodeDockerfile('root:1', '24.21.0');
    expect(node).toContain('NODE_VERSION=24.21.0');
    expect(node).toContain('NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt');
    expect(node).toMatch(/useradd --uid 1000 --gid node/);
    const nginx = nginxDockerfile('root:1');
    expect(nginx).toMatch(/--gid 101 nginx/);
    expect(nginx).toContain('STOPSIGNAL SIGQUIT');
    expect(nginx).toContain(`CMD ["nginx", "-g", "daemon off;"]`);
  });

  it('lay Debian\'s apache2 out as the official httpd image: /usr/local/apache2, httpd on the PATH, graceful WINCH', () => {
    const httpd = httpdDockerfile('root:1');
    expect(httpd).toContain('apt-get install -y --no-install-recommends apache2');
    // The official modules folder, so a config rendered for the official image loads here too.
    expect(httpd).toContain('ln -s /usr/lib/apache2/modules /usr/local/apache2/modules');
    expect(httpd).toContain('COPY httpd /usr/local/apache2/bin/httpd');
    expect(httpd).toMatch(/PATH=\/usr\/local\/apache2\/bin:/);
    expect(httpd).toContain('STOPSIGNAL SIGWINCH');
    expect(httpd).toContain('CMD ["httpd-foreground"]');
    // The official binary's defaults come first; a later -f (the kit's) wins.
    expect(HTTPD_WRAPPER).toContain('exec /usr/sbin/apache2 -d /usr/local/apache2 -f conf/httpd.conf "$@"');
    expect(HTTPD_CONF).toContain('<IfModule !unixd_module>');
  });

  it('hash differently when any part changes, the same when none does', () => {
    expect(recipeHash('a', 1)).toBe(recipeHash('a', 1));
    expect(recipeHash('a', 1)).not.toBe(recipeHash('a', 2));
    expect(recipeHash(nodeDockerfile('root:1', '24.21.0'))).not.toBe(recipeHash(nodeDockerfile('root:1', '24.22.0')));
  });
});
