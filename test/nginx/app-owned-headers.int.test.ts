/**
 * appOwnedHeaders with real nginx: an app that sends its own Content-Security-Policy (a framework's
 * policy with nonces or hashes for its inline scripts) keeps it, alone; an app response without
 * one and nginx's own files get the kit's; the headers the kit owns outright stay the kit's.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { renderNginxConf } from '../../nginx/render.ts';
import { DEFAULT_SECURITY_HEADERS, nginxSpec } from '../../nginx/spec.ts';
import { freePort } from '../stack/stack-process.ts';
import { makeRunDir, startNginx } from './nginx-binary.ts';

const APP_POLICY = "script-src 'nonce-r4nd0m' 'strict-dynamic'; object-src 'none'; base-uri 'none'";
const KIT_POLICY = DEFAULT_SECURITY_HEADERS['Content-Security-Policy'];

let app: Server;
let nginx: ChildProcess;
let dir: string;
let site: string;

beforeAll(async () => {
  app = createServer((req, res) => {
    // The app also tries a header the kit owns outright: the kit's value must stay.
    res.setHeader('X-Frame-Options', 'DENY');
    if (req.url === '/own-policy') res.setHeader('Content-Security-Policy', APP_POLICY);
    res.end('app');
  });
  const appPort = await new Promise<number>((done) => app.listen(0, '127.0.0.1', () => done((app.address() as { port: number }).port)));
  dir = await makeRunDir('app-owned');
  await mkdir(join(dir, 'static'));
  await writeFile(join(dir, 'static', 'a.txt'), 'file');
  const port = await freePort();
  site = `http://127.0.0.1:${port}`;
  const conf = renderNginxConf(nginxSpec({
    listen: { host: '127.0.0.1', port },
    upstream: { servers: [{ host: '127.0.0.1', port: appPort }] },
    staticRoot: join(dir, 'static'),
    workerProcesses: 1,
    paths: { runDir: dir, accessLog: 'off' },
  }));
  nginx = await startNginx(conf, dir, site);
}, 30_000);

afterAll(async () => {
  nginx?.kill('SIGQUIT');
  if (nginx && nginx.exitCode === null) await new Promise((r) => nginx.once('exit', r));
  app?.closeAllConnections();
  await new Promise((r) => app?.close(r));
  await rm(dir, { recursive: true, force: true });
});

const headersOf = async (path: string) => {
  const response = await fetch(`${site}${path}`);
  await response.text();
  return { csp: response.headers.get('content-security-policy'), frame: response.headers.get('x-frame-options') };
};

it("an app's own Content-Security-Policy reaches the client alone, in place of the kit's", async () => {
  expect(await headersOf('/own-policy')).toEqual({ csp: APP_POLICY, frame: 'SAMEORIGIN' });
});

it("an app response without one, nginx's own files and its errors get the kit's policy", async () => {
  expect(await headersOf('/no-policy')).toEqual({ csp: KIT_POLICY, frame: 'SAMEORIGIN' });
  expect(await headersOf('/static/a.txt')).toEqual({ csp: KIT_POLICY, frame: 'SAMEORIGIN' });
  expect(await headersOf('/static/missing.txt')).toEqual({ csp: KIT_POLICY, frame: 'SAMEORIGIN' });
});
