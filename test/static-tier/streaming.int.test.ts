/**
 * Long-lived connections through each static-tier server (nginx, Apache) with its rendered config,
 * in front of a real worker (the lifecycle unit on a fake port): WebSocket echo for a Hono app, a
 * Node app with its own server and a mounted one; SSE events reach the client as they are written,
 * gzip or not. This suite is what fails if a later change buffers event streams or drops the
 * upgrade headers, in either renderer.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { appSetOf } from '../../gateway/interface/index.ts';
import honoWebSocket from '../fixtures/apps/hono-websocket.ts';
import wsServer from '../fixtures/apps/ws-server.ts';
import { workerHarness, type WorkerHarness } from '../gateway/worker/fake-worker-port.ts';
import { STATIC_SERVERS, startWebServer, type RunningWebServer } from './web-server.ts';

let worker: WorkerHarness;

beforeAll(async () => {
  worker = workerHarness({
    loadApps: async () => appSetOf([{ prefix: '/', app: wsServer }, { prefix: '/live', app: honoWebSocket }]),
    // The web server is a trusted proxy, as in the stack.
    settings: { forwardedAllowIps: ['127.0.0.1'] },
  });
  await worker.worker.start();
  await worker.port.ready();
}, 30_000);

afterAll(async () => {
  worker?.worker.drain();
  await worker?.port.exited();
});

describe.each(STATIC_SERVERS)('through %s', (server) => {
  let web: RunningWebServer;
  let site: string;

  beforeAll(async () => {
    web = await startWebServer(server, { upstream: { servers: [{ host: '127.0.0.1', port: (worker.server.address() as AddressInfo).port }] } });
    site = web.site.replace('http://', '');
  }, 30_000);

  afterAll(async () => {
    await web?.stop();
  });

  function echo(url: string, text: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.on('open', () => ws.send(text));
      ws.on('message', (data) => {
        resolve(data.toString());
        ws.close();
      });
      ws.on('unexpected-response', (_req, res) => reject(new Error(`handshake refused: ${res.statusCode}`)));
      ws.on('error', reject);
    });
  }

  describe('WebSockets', () => {
    it("reach a mounted Hono app's upgradeWebSocket", async () => {
      expect(await echo(`ws://${site}/live/ws`, 'a')).toBe('echo:a:worker=7:prefix=/live');
    });
    it('reach ws attached to a Node app’s own server', async () => {
      expect(await echo(`ws://${site}/ws`, 'b')).toBe('echo:b:url=/ws');
    });
    it('an unclaimed one is refused by the gateway, and the web server passes the refusal on', async () => {
      await expect(echo(`ws://${site}/live/nothing`, 'c')).rejects.toThrow('handshake refused: 404');
    });
  });

  describe('Server-Sent Events', () => {
    /** Reads the stream raw; resolves with each event's write time and receipt time. */
    function readEvents(headers: Record<string, string>): Promise<{ encoding: string | undefined; events: Array<{ written: number; received: number }> }> {
      return new Promise((resolve, reject) => {
        const [host, port] = site.split(':');
        request({ host, port: Number(port), path: '/live/sse', headers }, (res) => {
          const events: Array<{ written: number; received: number }> = [];
          let buffer = '';
          res.on('data', (chunk: Buffer) => {
            const received = Date.now();
            buffer += chunk.toString('latin1');
            for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
              const written = /data: (\d+)/.exec(buffer.slice(0, end))?.[1];
              if (written) events.push({ written: Number(written), received });
              buffer = buffer.slice(end + 2);
            }
          });
          res.on('end', () => resolve({ encoding: res.headers['content-encoding'], events }));
          res.on('error', reject);
        })
          .on('error', reject)
          .end();
      });
    }

    it.each([
      ['a plain client', {}],
      ['a client that accepts gzip', { 'accept-encoding': 'gzip, deflate, br' }],
    ])('each event reaches %s before the next is written (events 300 ms apart)', async (_name, headers) => {
      const { encoding, events } = await readEvents(headers);
      expect(encoding).toBeUndefined(); // never compressed: gzip would hold small writes back
      expect(events).toHaveLength(5);
      const late = events.map(({ written, received }) => received - written);
      // Typically under 5 ms; the bound leaves room for a loaded machine and still catches buffering,
      // which holds events back until the stream ends (1.2 s) or a buffer fills.
      expect(late.filter((ms) => ms >= 250)).toEqual([]);
    });
  });
});
