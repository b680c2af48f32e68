/**
 * The gateway interface conformance suite: checks, over real HTTP, that a server hosting one of
 * the conformance fixture apps (test/fixtures/apps/{fetch,node}-conformance.ts) keeps the contract
 * of docs/interface.md. Any server can be run against it: our createRequestListener in-process,
 * a real gateway process, or the whole stack behind nginx.
 *
 *   for (const check of CONFORMANCE_CHECKS) test(check.name, () => check.run(baseUrl, options));
 *   const failures = await runConformance(baseUrl);   // outside jest: [] when it conforms
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

/** What the server under test is expected to do. */
export interface ConformanceOptions {
  /** The suite's requests come from a trusted proxy address (default: true, loopback is trusted). */
  trusted?: boolean;
  /** The prefix the fixture is mounted at ('' for '/'). */
  prefix?: string;
}

/** One check of the contract. */
export interface ConformanceCheck {
  name: string;
  run(baseUrl: string, options?: ConformanceOptions): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function echo(base: string, init: RequestInit = {}, path = '/echo'): Promise<{ res: Response; body: EchoBody }> {
  const res = await fetch(base + path, init);
  assert.equal(res.status, 200);
  return { res, body: (await res.json()) as EchoBody };
}

interface EchoBody {
  method: string;
  url: string;
  body: string;
  headers: Record<string, string | null>;
  ctx: { client: { address: string; port: number }; scheme: string; host: string; requestId: string; workerId: number; mountPrefix: string; signalIsAbortSignal: boolean; trace: { traceId: string; parentId: string; traceparent: string; tracestate?: string } | null };
}

/** Every check, in the order they are worth reading. */
export const CONFORMANCE_CHECKS: ConformanceCheck[] = [
  {
    name: 'GET answers 200 with the body and content type the app set',
    async run(base) {
      const res = await fetch(`${base}/hello`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal(await res.text(), 'hello');
    },
  },
  {
    name: 'HEAD answers without a body',
    async run(base) {
      const res = await fetch(`${base}/hello`, { method: 'HEAD' });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), '');
    },
  },
  {
    name: 'every method reaches the app with its body (POST, PUT, PATCH, DELETE)',
    async run(base) {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const payload = JSON.stringify({ method, text: 'héllo ✓' });
        const { body } = await echo(base, { method, body: payload, headers: { 'content-type': 'application/json' } });
        assert.equal(body.method, method);
        assert.equal(body.body, payload);
        assert.equal(body.headers['content-type'], 'application/json');
      }
    },
  },
  {
    name: 'a 1 MiB request body arrives whole',
    async run(base) {
      const big = 'x'.repeat(1024 * 1024);
      const { body } = await echo(base, { method: 'POST', body: big });
      assert.equal(body.body.length, big.length);
    },
  },
  {
    name: 'a streamed response arrives chunk by chunk, in order',
    async run(base) {
      const res = await fetch(`${base}/stream`);
      assert.equal(res.status, 200);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      let reads = 0;
      for (let r = await reader.read(); !r.done; r = await reader.read()) {
        text += decoder.decode(r.value, { stream: true });
        reads++;
      }
      assert.equal(text, 'chunk-0\nchunk-1\nchunk-2\n');
      assert.ok(reads >= 2, `expected the body in several reads (30 ms apart), got ${reads}`);
    },
  },
  {
    name: 'the status code the app chose reaches the client',
    async run(base) {
      for (const code of [201, 204, 302, 404, 418, 503]) {
        const res = await fetch(`${base}/status/${code}`, { redirect: 'manual' });
        assert.equal(res.status, code);
        await res.arrayBuffer();
      }
    },
  },
  {
    name: 'multi-value headers (two Set-Cookie) and custom headers reach the client',
    async run(base) {
      const res = await fetch(`${base}/headers`);
      assert.equal(res.headers.get('x-custom'), 'yes');
      assert.equal(res.headers.getSetCookie().join(' | '), 'a=1; Path=/ | b=2; Path=/');
    },
  },
  {
    name: 'the app sees the path and query without its mount prefix, and ctx.mountPrefix',
    async run(base, options = {}) {
      const { body } = await echo(base, {}, '/echo?x=1&y=%20');
      assert.equal(body.url, '/echo?x=1&y=%20');
      assert.equal(body.ctx.mountPrefix, options.prefix ?? '');
    },
  },
  {
    name: 'ctx carries client, scheme, host, worker id and an AbortSignal',
    async run(base) {
      const { body } = await echo(base);
      assert.match(body.ctx.client.address, /^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
      assert.ok(body.ctx.client.port > 0);
      assert.equal(body.ctx.scheme, 'http');
      assert.equal(body.ctx.host, new URL(base).host);
      assert.ok(Number.isInteger(body.ctx.workerId) && body.ctx.workerId >= 1);
      assert.equal(body.ctx.signalIsAbortSignal, true);
    },
  },
  {
    name: 'a request id is generated, given to the app and echoed in X-Request-Id',
    async run(base) {
      const { res, body } = await echo(base);
      const id = res.headers.get('x-request-id');
      assert.ok(id && id.length >= 8, `request id too short to be unique: ${id}`);
      assert.equal(body.ctx.requestId, id);
      const again = await echo(base);
      assert.notEqual(again.res.headers.get('x-request-id'), id);
    },
  },
  {
    name: 'a trusted peer\'s valid traceparent and tracestate reach ctx.trace; an invalid one or an untrusted peer\'s does not',
    async run(base, options = {}) {
      const trusted = options.trusted ?? true;
      const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      const { body } = await echo(base, { headers: { traceparent, tracestate: 'congo=t61rcWkgMzE' } });
      if (trusted) {
        assert.deepEqual({ ...body.ctx.trace }, { traceId: '0af7651916cd43dd8448eb211c80319c', parentId: 'b7ad6b7169203331', flags: 1, sampled: true, traceparent, tracestate: 'congo=t61rcWkgMzE' });
      } else {
        assert.equal(body.ctx.trace, null);
      }
      const invalid = await echo(base, { headers: { traceparent: traceparent.replace('00-', '00-0'), tracestate: 'congo=t61rcWkgMzE' } });
      assert.equal(invalid.body.ctx.trace, null);
    },
  },
  {
    name: 'X-Request-Id and X-Forwarded-* are honoured from a trusted peer only',
    async run(base, options = {}) {
      const trusted = options.trusted ?? true;
      const headers = { 'x-request-id': 'conformance-42', 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'shop.example' };
      const { res, body } = await echo(base, { headers });
      assert.equal(res.headers.get('x-request-id') === 'conformance-42', trusted);
      assert.equal(body.ctx.requestId === 'conformance-42', trusted);
      assert.equal(body.ctx.client.address === '203.0.113.9', trusted);
      assert.equal(body.ctx.scheme, trusted ? 'https' : 'http');
      assert.equal(body.ctx.host, trusted ? 'shop.example' : new URL(base).host);
    },
  },
  {
    name: 'an app that throws gives 500, and the next request is served',
    async run(base) {
      const res = await fetch(`${base}/throw`);
      assert.equal(res.status, 500);
      assert.ok(res.headers.get('x-request-id'));
      await res.arrayBuffer();
      const ok = await fetch(`${base}/hello`);
      assert.equal(ok.status, 200);
      await ok.arrayBuffer();
    },
  },
  {
    name: 'ctx.signal fires (AbortError) when the client disconnects',
    async run(base) {
      const id = randomUUID();
      const client = new AbortController();
      const pending = fetch(`${base}/hang?id=${id}`, { signal: client.signal }).catch(() => undefined);
      await sleep(150);
      client.abort();
      await pending;
      let state = null as { aborted: boolean; reason?: string } | null;
      for (let i = 0; i < 50 && !state?.aborted; i++) {
        await sleep(40);
        state = (await (await fetch(`${base}/aborted?id=${id}`)).json()) as typeof state;
      }
      // Values cross realms (jest's vm vs fetch's), so compare them as JSON.
      assert.equal(JSON.stringify(state), JSON.stringify({ aborted: true, reason: 'AbortError' }));
    },
  },
];

/** Runs every check; returns the failures (empty when the server conforms). */
export async function runConformance(baseUrl: string, options: ConformanceOptions = {}): Promise<Array<{ name: string; error: string }>> {
  const failures: Array<{ name: string; error: string }> = [];
  for (const check of CONFORMANCE_CHECKS) {
    try {
      await check.run(baseUrl, options);
    } catch (error) {
      failures.push({ name: check.name, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return failures;
}
