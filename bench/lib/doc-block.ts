/**
 * Generated blocks inside hand-written docs: a script owns the text between
 * `<!-- NAME:begin -->` and `<!-- NAME:end -->` and rewrites only that, so the notes a person
 * wrote around the figures survive every re-run.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The two marker lines of block `name`, for skeletons that place the block. */
export function blockMarkers(name: string): { begin: string; end: string } {
  return { begin: `<!-- ${name}:begin (generated; edits inside are overwritten) -->`, end: `<!-- ${name}:end -->` };
}

/** Replace (or append) block `name` in `file`; `skeleton` is the file's text when it does not exist yet. */
export function writeBlock(file: string, name: string, content: string, skeleton: string): void {
  const { begin, end } = blockMarkers(name);
  mkdirSync(dirname(file), { recursive: true });
  const current = existsSync(file) ? readFileSync(file, 'utf8') : skeleton;
  const block = `${begin}\n${content.trim()}\n${end}`;
  const at = current.indexOf(begin);
  const until = current.indexOf(end);
  const next =
    at >= 0 && until > at
      ? current.slice(0, at) + block + current.slice(until + end.length)
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}
