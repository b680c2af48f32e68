import { describe, expect, it } from '@jest/globals';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildStatic, fingerprintName, HASH_LENGTH } from '../../app/build.ts';
import { assetUrls } from '../../app/manifest.ts';
import { tempDir } from '../support/temp.ts';

async function fixture(files: Record<string, string>) {
  const dir = tempDir('build');
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, 'src', name, '..'), { recursive: true });
    await writeFile(join(dir, 'src', name), content);
  }
  return dir;
}

describe('buildStatic', () => {
  it('writes hashed and plain copies and a manifest the HTML can use', async () => {
    const dir = await fixture({ 'a.css': 'body{}', 'img/b.svg': '<svg/>', '.secret': 'x' });
    const manifest = await buildStatic(join(dir, 'src'), join(dir, 'dist'));
    expect(Object.keys(manifest)).toEqual(['a.css', 'img/b.svg']); // no dotfiles
    expect(manifest['a.css']).toMatch(new RegExp(`^a\\.[0-9a-f]{${HASH_LENGTH}}\\.css$`));
    expect(manifest['img/b.svg']).toMatch(/^img\/b\.[0-9a-f]{10}\.svg$/);
    expect(await readFile(join(dir, 'dist/static', manifest['a.css']!), 'utf8')).toBe('body{}');
    expect(await readFile(join(dir, 'dist/static/a.css'), 'utf8')).toBe('body{}');
    expect(JSON.parse(await readFile(join(dir, 'dist/manifest.json'), 'utf8'))).toEqual(manifest);
    expect(assetUrls(manifest)('a.css')).toBe(`/static/${manifest['a.css']}`);
  });

  it('changes the name when the content changes, and only then', () => {
    const one = fingerprintName('a.css', Buffer.from('body{}'));
    expect(fingerprintName('a.css', Buffer.from('body{}'))).toBe(one);
    expect(fingerprintName('a.css', Buffer.from('body{color:red}'))).not.toBe(one);
  });

  it('drops files removed from the source on the next build', async () => {
    const dir = await fixture({ 'old.js': '1', 'keep.js': '2' });
    await buildStatic(join(dir, 'src'), join(dir, 'dist'));
    await writeFile(join(dir, 'src/old.js'), '3'); // new content → new hash; the old hashed copy must go
    await buildStatic(join(dir, 'src'), join(dir, 'dist'));
    expect((await readdir(join(dir, 'dist/static'))).filter((f) => f.startsWith('old.'))).toHaveLength(2);
  });
});
