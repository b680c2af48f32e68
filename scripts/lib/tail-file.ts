/**
 * Follow a growing file (nginx's access log) and hand over its new lines. nginx cannot write its
 * access log to our stdout directly: a child's stdout here is a socket, which `/dev/stdout` cannot
 * open (ENXIO), so the log goes to a file in the run folder and this follows it.
 */
import { open } from 'node:fs/promises';

/** Poll `file` every `intervalMs` from its start (the caller empties it first); returns a stop function. */
export function followFile(file: string, onLine: (line: string) => void, intervalMs = 200): () => Promise<void> {
  let offset = 0;
  let rest = '';
  let stopped = false;
  const readNew = async () => {
    const handle = await open(file, 'r').catch(() => undefined);
    if (!handle) return;
    try {
      const { size } = await handle.stat();
      if (size < offset) offset = 0; // the log was truncated or rotated
      if (size === offset) return;
      const buffer = Buffer.alloc(size - offset);
      await handle.read(buffer, 0, buffer.length, offset);
      offset = size;
      const lines = (rest + buffer.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      lines.forEach(onLine);
    } finally {
      await handle.close();
    }
  };
  let pending = readNew();
  const timer = setInterval(() => {
    pending = pending.then(readNew);
  }, intervalMs);
  return async () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    await pending.then(readNew);
  };
}
