/**
 * The Debian mirror for the stand-in base images, read from this machine's apt sources at run
 * time: the project never names a mirror host itself, it uses whatever the machine is set up with.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One apt source: a mirror URI with the suites and components it serves. */
export interface AptSource {
  uri: string;
  suites: string[];
  components: string[];
}

/** Parses deb822 `.sources` text (stanzas separated by blank lines; `Enabled: no` skips one). */
export function parseDeb822Sources(text: string): AptSource[] {
  const stanzas = text.split(/\n\s*\n/);
  const sources: AptSource[] = [];
  for (const stanza of stanzas) {
    const fields = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      if (line.startsWith('#')) continue;
      const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (match) fields.set(match[1]!.toLowerCase(), match[2]!.trim());
    }
    const types = (fields.get('types') ?? '').split(/\s+/);
    if (!types.includes('deb') || fields.get('enabled')?.toLowerCase() === 'no') continue;
    const words = (name: string) => (fields.get(name) ?? '').split(/\s+/).filter(Boolean);
    for (const uri of words('uris')) sources.push({ uri, suites: words('suites'), components: words('components') });
  }
  return sources;
}

/** Parses one-line `sources.list` text (`deb [options] URI SUITE COMPONENT...`). */
export function parseOneLineSources(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').replace(/\[[^\]]*\]/, '').trim();
    const [type, uri, suite, ...components] = line.split(/\s+/);
    if (type === 'deb' && uri && suite) sources.push({ uri, suites: [suite], components });
  }
  return sources;
}

/** Every enabled binary source of the machine (/etc/apt/sources.list and sources.list.d). */
export function readAptSources(etcApt = '/etc/apt'): AptSource[] {
  const files: string[] = [];
  if (existsSync(join(etcApt, 'sources.list'))) files.push(join(etcApt, 'sources.list'));
  const dir = join(etcApt, 'sources.list.d');
  if (existsSync(dir)) files.push(...readdirSync(dir).sort().map((name) => join(dir, name)));
  return files.flatMap((file) => {
    if (file.endsWith('.sources')) return parseDeb822Sources(readFileSync(file, 'utf8'));
    if (file.endsWith('.list')) return parseOneLineSources(readFileSync(file, 'utf8'));
    return [];
  });
}

/** The mirror URI that serves `suite` itself (not -updates/-security); throws naming what was found. */
export function mirrorFor(suite: string, sources: AptSource[]): string {
  const source = sources.find((s) => s.suites.includes(suite) && s.components.includes('main'));
  if (!source) {
    const seen = sources.map((s) => `${s.uri} ${s.suites.join(',')}`).join('; ') || 'none';
    throw new Error(`no apt source serves "${suite} main" on this machine (found: ${seen}); add one to /etc/apt/sources.list.d`);
  }
  return source.uri;
}

/** deb822 text for the image: the machine's sources for `suite` and its -updates/-security suites. */
export function imageSourcesText(suite: string, sources: AptSource[]): string {
  const related = sources.filter((s) => s.suites.some((x) => x === suite || x.startsWith(`${suite}-`)));
  return related
    .map((s) =>
      [
        'Types: deb',
        `URIs: ${s.uri}`,
        `Suites: ${s.suites.join(' ')}`,
        `Components: ${s.components.join(' ')}`,
        'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
      ].join('\n'),
    )
    .join('\n\n')
    .concat('\n');
}
