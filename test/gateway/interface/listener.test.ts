/**
 * createRequestListener behaviour a user sees: middleware order and hooks, the access log, 404,
 * 413, the deadline's 504 and its AbortSignal, failures that leave the worker serving.
 */
import { request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { appSetOf, type Exchange, type FetchApp, type GatewayContext } from '../../../gateway/interface/index.ts';
import { contextOf } from '../../../gateway/interface/listener.ts';
import { serve, type Served } from './serve.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

const hello: FetchApp = { fetch: () => new Response('hello') };

describe('middleware and hooks', () => {
  test('run in order: built-ins, then middleware in array order, preRequest, app, postRequest', async () => {
    const order: string[] = [];
    const seen: Array<Partial<GatewayContext>> = [];
    const apps = appSetOf([{ prefix: '/', app: { fetch: () => (order.push('app'), new Response('ok')) } }]);
    served = await serve(apps, {
      middleware: [
        (ex, next) => {
          order.push('first');
          seen.push({ requestId: ex.ctx.requestId, client: ex.ctx.client });
          next();
        },
        async (_ex, next) => {
          await sleep(5);
          order.push('second (async)');
          next();
        },
      ],
      hooks: {
        preRequest: () => void order.push('preRequest'),
        postRequest: (_ex: Exchange, info) => void order.push(`postRequest ${info.status}`),
      },
    });
    const res = await fetch(`${served.url}/x`, { headers: { 'x-forwarded-for': '198.51.100.4', 'x-request-id': 'abc-1' } });
    await res.text();
    await sleep(20);
    expect(order).toEqual(['first', 'second (async)', 'preRequest', 'app', 'postRequest 200']);
    // The built-in steps ran before the first user middleware: proxy rules and request id applied.
    expect(seen[0]?.requestId).toBe('abc-1');
    expect(seen[0]?.client?.address).toBe('198.51.100.4');
  });

  test('a middleware can answer by itself (the app is not called), and one that throws gives 500', async () => {
    let appCalls = 0;
    const apps = appSetOf([{ prefix: '/', app: { fetch: () => (appCalls++, new Response('app')) } }]);
    served = await serve(apps, {
      middleware: [
        (ex, next) => {
          if (ex.originalUrl === '/blocked') return void ex.res.writeHead(403).end('no');
          if (ex.originalUrl === '/broken') throw new Error('middleware bug');
          next();
        },
      ],
    });
    expect((await fetch(`${served.url}/blocked`)).status).toBe(403);
    expect((await fetch(`${served.url}/broken`)).status).toBe(500);
    const ok = await fetch(`${served.url}/fine`);
    expect(await ok.text()).toBe('app');
    expect(appCalls).toBe(1);
  });

  test('a preRequest hook that throws gives 500; a postRequest that throws is only logged', async () => {
    served = await serve(appSetOf([{ prefix: '/', app: hello }]), {
      hooks: {
        preRequest: (ex: Exchange) => {
          if (ex.originalUrl === '/deny') throw new Error('pre failed');
        },
        postRequest: () => {
          throw new Error('post failed');
        },
      },
    });
    expect((await fetch(`${served.url}/deny`)).status).toBe(500);
    const res = await fetch(`${served.url}/`);
    expect(await res.text()).toBe('hello');
    await sleep(20);
    expect(served.logs.some((l) => l.msg === 'the postRequest hook threw')).toBe(true);
  });
});

describe('access log and observer', () => {
  test('one line per request: method, path without query, status, duration, worker id, request id', async () => {
    const events: string[] = [];
    served = await serve(appSetOf([{ prefix: '/', app: hello }]), {
      workerId: 3,
      observer: { started: () => void events.push('started'), finished: (i) => void events.push(`finished ${i.status}`) },
    });
    const res = await fetch(`${served.url}/path/x?secret=1`, { method: 'POST', body: 'b' });
    await res.text();
    await sleep(20);
    const line = served.logs.find((l) => l.msg === 'request');
    expect(line).toMatchObject({ method: 'POST', path: '/path/x', status: 200, workerId: 3, requestId: res.headers.get('x-request-id') });
    expect(typeof line?.durationMs).toBe('number');
    expect(events).toEqual(['started', 'finished 200']);
  });

  test('without an accessLog writer no request lines are logged', async () => {
    served = await serve(appSetOf([{ prefix: '/', app: hello }]), { accessLog: undefined });
    await (await fetch(`${served.url}/`)).text();
    await sleep(20);
    expect(served.logs.filter((l) => l.msg === 'request')).toHaveLength(0);
  });
});

describe('routing', () => {
  test('with no "/" mount an unknown path is a 404 (with a request id), a mounted one is served', async () => {
    served = await serve(appSetOf([{ prefix: '/api', app: { fetch: (r: Request) => new Response(new URL(r.url).pathname) } }]));
    const miss = await fetch(`${served.url}/other`);
    expect(miss.status).toBe(404);
    expect(miss.headers.get('x-request-id')).toBeTruthy();
    expect(await (await fetch(`${served.url}/api/users`)).text()).toBe('/users');
    expect(await (await fetch(`${served.url}/api`)).text()).toBe('/');
  });
});

describe('body limit (413)', () => {
  const echoLength: FetchApp = { fetch: async (r: Request) => new Response(String((await r.arrayBuffer()).byteLength)) };
  const nodeEcho = (req: IncomingMessage, res: ServerResponse): void => {
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => res.end(String(n)));
  };

  /** Sends a chunked body (no Content-Length) of `size` bytes in 16 KiB pieces. */
  function chunked(url: string, size: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      const piece = Buffer.alloc(16 * 1024, 1);
      for (let sent = 0; sent < size; sent += piece.length) req.write(piece);
      req.end();
    });
  }

  test.each([
    ['fetch', echoLength],
    ['node', nodeEcho],
  ])('%s app: Content-Length over the limit → 413 before the app; under it → served', async (_kind, app) => {
    served = await serve(appSetOf([{ prefix: '/', app }]), { maxBodyBytes: 1000 });
    expect((await fetch(served.url, { method: 'POST', body: 'x'.repeat(1001) })).status).toBe(413);
    const ok = await fetch(served.url, { method: 'POST', body: 'x'.repeat(1000) });
    expect(await ok.text()).toBe('1000');
  });

  test.each([
    ['fetch', echoLength],
    ['node', nodeEcho],
  ])('%s app: a chunked body over the limit → 413; under it → served', async (_kind, app) => {
    served = await serve(appSetOf([{ prefix: '/', app }]), { maxBodyBytes: 64 * 1024 });
    expect(await chunked(served.url, 256 * 1024)).toBe(413);
    expect(await chunked(served.url, 32 * 1024)).toBe(200);
  });
});

describe('request deadline (504) and ctx.signal', () => {
  test('fetch app: 504 when it has not answered, and ctx.signal fires with a TimeoutError', async () => {
    let reason = '';
    const app: FetchApp = {
      fetch: (_r, ctx) =>
        new Promise<Response>((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            reason = (ctx.signal.reason as DOMException).name;
            setTimeout(() => resolve(new Response('too late')), 10);
          });
        }),
    };
    served = await serve(appSetOf([{ prefix: '/', app }]), { requestTimeoutMs: 150 });
    const res = await fetch(served.url);
    expect(res.status).toBe(504);
    expect(await res.text()).toBe('Gateway Timeout');
    expect(reason).toBe('TimeoutError');
    expect((await fetch(served.url.replace(/\/$/, '') + '/again')).status).toBe(504);
  });

  test('node listener: 504, the signal fires, and a late res.end() neither throws nor kills the worker', async () => {
    let late: unknown = 'not yet';
    const app = (req: IncomingMessage, res: ServerResponse): void => {
      const ctx = contextOf(req)!;
      ctx.signal.addEventListener('abort', () => {
        setTimeout(() => {
          try {
            res.writeHead(200).end('too late');
            late = 'no throw';
          } catch (error) {
            late = error;
          }
        }, 10);
      });
    };
    served = await serve(appSetOf([{ prefix: '/', app }]), { requestTimeoutMs: 150 });
    const res = await fetch(served.url);
    expect(res.status).toBe(504);
    expect(await res.text()).toBe('Gateway Timeout');
    await sleep(50);
    expect(late).toBe('no throw');
  });

  test('past the deadline after headers went out, the connection is cut (the client sees an error)', async () => {
    const app = (_req: IncomingMessage, res: ServerResponse): void => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
    };
    served = await serve(appSetOf([{ prefix: '/', app }]), { requestTimeoutMs: 150 });
    const res = await fetch(served.url);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  test('once the response streams, the deadline is an idle limit: a stream that keeps writing is never cut', async () => {
    const app = (_req: IncomingMessage, res: ServerResponse): void => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let n = 0;
      const timer = setInterval(() => {
        res.write(`data: ${n}\n\n`);
        if (++n === 8) {
          clearInterval(timer);
          res.end();
        }
      }, 60);
    };
    served = await serve(appSetOf([{ prefix: '/', app }]), { requestTimeoutMs: 150 });
    const body = await (await fetch(served.url)).text(); // 480 ms, three deadlines long
    expect(body.match(/data:/g)).toHaveLength(8);
  });

  test('requests within the deadline are untouched', async () => {
    const app: FetchApp = { fetch: async () => (await sleep(20), new Response('in time')) };
    served = await serve(appSetOf([{ prefix: '/', app }]), { requestTimeoutMs: 2000 });
    expect(await (await fetch(served.url)).text()).toBe('in time');
  });
});

describe('failures', () => {
  test.each([
    ['fetch app throwing synchronously', { fetch: () => { throw new Error('sync'); } }],
    ['fetch app rejecting', { fetch: async () => { throw new Error('async'); } }],
    ['fetch app returning undefined (a missing return)', { fetch: () => undefined }],
    ['fetch app resolving to a string', { fetch: async () => 'hello' }],
    ['node listener throwing', () => { throw new Error('sync'); }],
    ['async node listener rejecting', async () => { throw new Error('async'); }],
  ])('%s → 500, logged with the request id, and the next request is served', async (_name, app) => {
    served = await serve(appSetOf([{ prefix: '/', app }, { prefix: '/ok', app: hello }]));
    const res = await fetch(`${served.url}/boom`);
    expect(res.status).toBe(500);
    const id = res.headers.get('x-request-id');
    await sleep(20);
    expect(served.logs.find((l) => l.msg === 'the app failed the request')).toMatchObject({ requestId: id });
    expect(await (await fetch(`${served.url}/ok`)).text()).toBe('hello');
  });
});
