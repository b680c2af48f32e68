/**
 * The sample app on its own, through `fetch` with a gateway-like context: what a user of the page
 * and the API would notice.
 */
import { describe, expect, it } from '@jest/globals';
import app from '../../app/server.ts';

const call = (path: string, init?: RequestInit, ctx: object = { workerId: 3, requestId: 'req-1' }) =>
  app.fetch(new Request(`http://app.test${path}`, init), ctx);

const postNote = (body: string) => call('/api/notes', { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('the page', () => {
  it('loads its CSS, JS and image from /static/ and names the worker', async () => {
    const response = await call('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const html = await response.text();
    expect(html).toMatch(/<link rel="stylesheet" href="\/static\/style(\.[0-9a-f]{10})?\.css">/);
    expect(html).toMatch(/<script type="module" src="\/static\/app(\.[0-9a-f]{10})?\.js">/);
    expect(html).toMatch(/<img src="\/static\/logo(\.[0-9a-f]{10})?\.svg"/);
    expect(html).toContain('<strong id="worker-id">3</strong>');
  });
});

describe('the API', () => {
  it('whoami answers with the gateway worker id, pid and request id', async () => {
    expect(await (await call('/api/whoami')).json()).toEqual({ workerId: 3, pid: process.pid, requestId: 'req-1' });
  });

  it('whoami works without a gateway context (worker 0)', async () => {
    expect(await (await call('/api/whoami', undefined, {})).json()).toMatchObject({ workerId: 0 });
  });

  it('creates a note with 201', async () => {
    const response = await postNote(JSON.stringify({ text: '  buy milk ', tags: ['home'] }));
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ text: 'buy milk', tags: ['home'], workerId: 3 });
  });

  it.each([
    ['an empty text', JSON.stringify({ text: '' }), /^text: must not be empty$/],
    ['a missing text', JSON.stringify({ tags: [] }), /^text: /],
    ['a wrong tag type', JSON.stringify({ text: 'a', tags: [1] }), /^tags\.0: /],
    ['a text over 280 characters', JSON.stringify({ text: 'x'.repeat(281) }), /^text: .*280/],
    ['broken JSON', '{"text": ', /^\(body\): expected a JSON object$/],
  ])('refuses %s with 400 naming the field', async (_name, body, detail) => {
    const response = await postNote(body);
    expect(response.status).toBe(400);
    const json = (await response.json()) as { error: string; detail: string };
    expect(json.error).toBe('invalid request');
    expect(json.detail).toMatch(detail);
  });

  it('work keeps the CPU busy for the asked time, within its bound', async () => {
    const started = performance.now();
    const response = await call('/api/work?ms=50');
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(50);
    expect((await call('/api/work?ms=999999')).status).toBe(400);
    expect(((await (await call('/api/work?ms=abc')).json()) as { detail: string }).detail).toMatch(/^ms: /);
  });

  it('sleep waits, and stops waiting when the request is aborted', async () => {
    expect(await (await call('/api/sleep?ms=20')).json()).toMatchObject({ ms: 20, workerId: 3 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const started = performance.now();
    const response = await call('/api/sleep?ms=10000', undefined, { signal: controller.signal });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(response.status).toBe(503);
  });

  it('answers unknown paths with a JSON 404', async () => {
    const response = await call('/nope');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not found', path: '/nope' });
  });
});
