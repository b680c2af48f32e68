/**
 * appOwnedHeaders, on each static-tier server: an app that sends its own Content-Security-Policy
 * (a framework's policy with nonces or hashes for its inline scripts) keeps it, alone; an app
 * response without one and the server's own files and errors get the kit's; the headers the kit
 * owns outright stay the kit's.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { DEFAULT_SECURITY_HEADERS } from '../../nginx/spec.ts';
import { STATIC_SERVERS, startWebServer, type RunningWebServer } from './web-server.ts';

const APP_POLICY = "script-src 'nonce-r4nd0m' 'strict-dynamic'; object-src 'none'; base-uri 'none'";
const KIT_POLICY = DEFAULT_SECURITY_HEADERS['Content-Security-Policy'];

let app: Server;
let appPort: number;

beforeAll(async () => {
  app = createServer((req, res) => {
    // The app also tries a header the kit owns outright: the kit's value must stay.
    res.setHeader('X-Frame-Options', 'DENY');
    if (req.url === '/own-policy') res.setHeader('Content-Security-Policy', APP_POLICY);
    res.end('app');
  });
  appPort = await new Promise<number>((done) => app.listen(0, '127.0.0.1', () => done((app.address() as { port: number }).port)));
});

afterAll(async () => {
  app?.closeAllConnections();
  await new Promise((r) => app?.close(r));
});

describe.each(STATIC_SERVERS)('%s: app-owned headers', (server) => {
  let web: RunningWebServer;

  beforeAll(async () => {
    web = await startWebServer(server, { upstream: { servers: [{ host: '127.0.0.1', port: appPort }] } });
    await writeFile(join(web.dir, 'static', 'a.txt'), 'file');
  }, 30_000);

  afterAll(async () => {
    await web?.stop();
  });

  const headersOf = async (path: string) => {
    const response = await fetch(`${web.site}${path}`);
    await response.text();
    return { csp: response.headers.get('content-security-policy'), frame: response.headers.get('x-frame-options') };
  };

  it("an app's own Content-Security-Policy reaches the client alone, in place of the kit's", async () => {
    expect(await headersOf('/own-policy')).toEqual({ csp: APP_POLICY, frame: 'SAMEORIGIN' });
  });

  it("an app response without one, the server's own files and its errors get the kit's policy", async () => {
    expect(await headersOf('/no-policy')).toEqual({ csp: KIT_POLICY, frame: 'SAMEORIGIN' });
    expect(await headersOf('/static/a.txt')).toEqual({ csp: KIT_POLICY, frame: 'SAMEORIGIN' });
    expect(await headersOf('/static/missing.txt')).toEqual({ csp: KIT_POLICY, frame: 'SAMEORIGIN' });
  });
});
