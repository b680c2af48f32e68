/**
 * setRequestId adds X-Request-Id as the head is written, whichever way the app writes it, and
 * never over an id the app chose itself. A real node:http server, and an Express app (which swaps
 * every response's prototype for its own).
 */
import { createServer, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { setRequestId } from '../../../gateway/interface/response.ts';

const SHARED: OutgoingHttpHeaders = { 'content-type': 'text/plain' };

const answers: Record<string, (res: ServerResponse) => void> = {
  '/object': (res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('x'),
  '/shared': (res) => res.writeHead(200, SHARED).end('x'),
  '/array': (res) => res.writeHead(200, ['content-type', 'text/plain']).end('x'),
  '/reason': (res) => res.writeHead(201, 'Made', { 'content-type': 'text/plain' }).end('x'),
  '/implicit': (res) => {
    res.statusCode = 404;
    res.setHeader('content-type', 'text/plain');
    res.end('x');
  },
  '/head-only': (res) => res.writeHead(204).end(),
  '/app-object': (res) => res.writeHead(200, { 'X-Request-ID': 'from-app' }).end('x'),
  '/app-array': (res) => res.writeHead(200, ['X-Request-Id', 'from-app']).end('x'),
  '/app-set': (res) => {
    res.setHeader('X-Request-Id', 'from-app');
    res.writeHead(200, { 'content-type': 'text/plain' }).end('x');
  },
};

let server: Server;
let base: string;
let counter = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    setRequestId(res, `rid-${++counter}`);
    answers[req.url ?? '']!(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

test.each(['/object', '/shared', '/array', '/reason', '/implicit', '/head-only'])('%s: the gateway id is sent once', async (path) => {
  const res = await fetch(base + path);
  await res.text();
  // fetch joins repeated headers with ", ": one id and nothing else means it was sent exactly once.
  expect(res.headers.get('x-request-id')).toMatch(/^rid-\d+$/);
});

test('the status and reason the app gave are kept', async () => {
  const res = await fetch(`${base}/reason`);
  await res.text();
  expect(res.status).toBe(201);
  expect(res.statusText).toBe('Made');
});

test("a shared headers object is not changed (no id leaks into the app's constant)", async () => {
  for (let i = 0; i < 2; i++) await (await fetch(`${base}/shared`)).text();
  expect(SHARED).toEqual({ 'content-type': 'text/plain' });
});

test.each(['/app-object', '/app-array', '/app-set'])("%s: the app's own X-Request-Id wins, in any letter case", async (path) => {
  const res = await fetch(base + path);
  await res.text();
  expect(res.headers.get('x-request-id')).toBe('from-app');
});

test('an Express app (its own response prototype) sends the id too, and can override it', async () => {
  const app = express();
  app.get('/', (_req, res) => void res.send('hello'));
  app.get('/own', (_req, res) => void res.set('X-Request-Id', 'from-express').send('hello'));
  const wrapped = createServer((req, res) => {
    setRequestId(res, 'rid-express');
    app(req, res);
  });
  await new Promise<void>((resolve) => wrapped.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(wrapped.address() as AddressInfo).port}`;
    const plain = await fetch(`${url}/`);
    expect(await plain.text()).toBe('hello');
    expect(plain.headers.get('x-request-id')).toBe('rid-express');
    const own = await fetch(`${url}/own`);
    await own.text();
    expect(own.headers.get('x-request-id')).toBe('from-express');
  } finally {
    await new Promise((resolve) => wrapped.close(resolve));
  }
});
