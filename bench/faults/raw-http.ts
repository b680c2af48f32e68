/**
 * Bytes on a socket, for requests no HTTP client would send: malformed request lines, oversized
 * headers, broken encodings. Returns the status code the server answered with, or how the
 * connection ended without one.
 */
import { connect } from 'node:net';

export interface RawAnswer {
  /** Status code of the first response line, or undefined when none came. */
  status?: number;
  /** The whole answer as text (capped), for messages in failed assertions. */
  text: string;
  /** 'answered' | 'closed' (no answer before the server hung up) | 'timeout'. */
  outcome: 'answered' | 'closed' | 'timeout';
}

/** Send `payload` to host:port and wait for an answer or the end of the connection. */
export function sendRaw(port: number, payload: string | Buffer, timeoutMs = 5000, host = '127.0.0.1'): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    let text = '';
    let settled = false;
    const finish = (outcome: RawAnswer['outcome']): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ ...(match ? { status: Number(match[1]) } : {}), text: text.slice(0, 2000), outcome: match ? 'answered' : outcome });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      // One complete head is enough: the status is all we judge.
      if (text.includes('\r\n\r\n')) finish('answered');
    });
    socket.on('error', () => finish('closed'));
    socket.on('end', () => finish('closed'));
    socket.on('connect', () => socket.write(payload));
  });
}
