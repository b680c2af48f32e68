/**
 * One HTTP server per process for the adapter benchmark: `node bench/lib/adapter-servers.ts KIND`.
 * It listens on 127.0.0.1, port 0, and prints `PORT <n>` on stdout once it accepts connections.
 *
 * Every kind serves the same two routes with the same work, written the way an app author writes
 * them for that interface: `GET /` → "Hello, world!", `POST /echo` → the parsed JSON body echoed back
 * with one extra field. Fetch handlers use the global `Request`/`Response`, as Hono apps do.
 */
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Middleware } from '../../gateway/interface/index.ts';

type ResponseClass = { new (body?: BodyInit | null, init?: ResponseInit): Response; json(data: unknown, init?: ResponseInit): Response };

/** What the fetch-handler kinds run behind their adapter; `R` is the Response class the app uses. */
function fetchHandlerWith(R: () => ResponseClass): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method === 'POST') {
      const body = (await request.json()) as Record<string, unknown>;
      return R().json({ ...body, echoed: true });
    }
    return new (R())('Hello, world!', { headers: { 'content-type': 'text/plain; charset=utf-8' } });
  };
}
/** Read at call time: @hono/node-server replaces the global Response when it starts. */
const fetchHandler = fetchHandlerWith(() => globalThis.Response);

/** The raw `node:http` baseline: the same work with no Request/Response objects at all. */
function nodeHandler(req: IncomingMessage, res: ServerResponse): void {
  if (req.method === 'POST') {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...body, echoed: true }));
    });
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('Hello, world!');
}

/** The contenders, by name; each builds a Node request listener. */
export const SERVER_KINDS = {
  'node-http': async (): Promise<RequestListener> => nodeHandler,
  'hono-node-server': async (): Promise<RequestListener> => {
    const { getRequestListener } = await import('@hono/node-server');
    return getRequestListener(fetchHandler) as RequestListener;
  },
  srvx: async (): Promise<RequestListener> => {
    const { toNodeHandler } = await import('srvx/node');
    return toNodeHandler(fetchHandler) as RequestListener;
  },
  /** srvx with the app opting into srvx's own FastResponse (an app change: Hono apps use the global). */
  'srvx-fast': async (): Promise<RequestListener> => {
    const { toNodeHandler, FastResponse } = await import('srvx/node');
    return toNodeHandler(fetchHandlerWith(() => FastResponse as unknown as ResponseClass)) as RequestListener;
  },
  'whatwg-node': async (): Promise<RequestListener> => {
    const { createServerAdapter } = await import('@whatwg-node/server');
    return createServerAdapter(fetchHandler) as unknown as RequestListener;
  },
  /** Our gateway interface hosting the fetch handler: adapter plus request id, proxy rules, deadline. */
  'gateway-fetch': async (): Promise<RequestListener> => gatewayListener({ fetch: fetchHandler }),
  /** Our gateway interface hosting the raw Node listener: the escape hatch, no fetch conversion. */
  'gateway-node': async (): Promise<RequestListener> => gatewayListener(nodeHandler),
  /**
   * gateway-node with OpenTelemetry set up as an app would (the SDK's tracer provider, a batch
   * processor, an exporter that drops the batches): the price of a server span per request.
   */
  'gateway-node-otel': async (): Promise<RequestListener> => {
    const { NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
    const { BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
    const api = await import('@opentelemetry/api');
    const { serverSpans } = await import('../../gateway/worker/server-spans.ts');
    const dropped = { export: (_spans: unknown[], done: (result: { code: 0 }) => void) => done({ code: 0 }), shutdown: async () => {} };
    new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropped)] }).register();
    return gatewayListener(nodeHandler, [serverSpans(api as unknown as Parameters<typeof serverSpans>[0])]);
  },
} as const;
export type ServerKind = keyof typeof SERVER_KINDS;

async function gatewayListener(app: unknown, middleware: Middleware[] = []): Promise<RequestListener> {
  const { createRequestListener, appSetOf } = await import('../../gateway/interface/index.ts');
  const { pino } = await import('pino');
  const apps = appSetOf([{ prefix: '/', app, module: 'bench' }]);
  await apps.init({ workerId: 1 });
  return createRequestListener(apps, {
    workerId: 1,
    forwardedAllowIps: ['127.0.0.1', '::1'],
    requestTimeoutMs: 30_000,
    maxBodyBytes: 1024 * 1024,
    logger: pino({ enabled: false }),
    middleware,
  });
}

async function main(): Promise<void> {
  const kind = process.argv[2] as ServerKind | undefined;
  if (!kind || !(kind in SERVER_KINDS)) {
    console.error(`usage: adapter-servers.ts ${Object.keys(SERVER_KINDS).join('|')}`);
    process.exit(2);
  }
  const server = createServer(await SERVER_KINDS[kind]());
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`PORT ${(server.address() as AddressInfo).port}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

if (import.meta.main) await main();
