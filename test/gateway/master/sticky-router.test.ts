import { MAX_SESSIONS, SESSION_IDLE_MS, StickyRouter, sessionIdOf } from '../../../gateway/master/sticky-router.ts';

const poll = (sid?: string, path = '/socket.io/') =>
  `GET ${path}?EIO=4&transport=polling&t=Pq1${sid === undefined ? '' : `&sid=${sid}`} HTTP/1.1\r\nHost: x\r\n\r\n`;

/** A router over workers 'a' and 'b', both ready, on a clock the test moves. */
function twoWorkers(options: { maxSessions?: number } = {}) {
  let now = 0;
  const router = new StickyRouter<string>({ path: '/socket.io/', now: () => now, ...options });
  for (const w of ['a', 'b']) {
    router.add(w);
    router.ready(w);
  }
  return { router, advance: (ms: number) => (now += ms) };
}

describe('sessionIdOf: the session a request line names', () => {
  test.each([
    ['polling request', poll('AbC-_12'), 'AbC-_12'],
    ['sid first in the query', 'POST /socket.io/?sid=x1&EIO=4 HTTP/1.1\r\n', 'x1'],
    ['percent-encoded', 'GET /socket.io/?EIO=4&sid=a%2Bb HTTP/1.1\r\n', 'a+b'],
    ['absolute form (through a forward proxy)', 'GET http://h:80/socket.io/?sid=s9 HTTP/1.1\r\n', 's9'],
    ['only the request line counts', 'GET /socket.io/?EIO=4 HTTP/1.1\r\nReferer: /socket.io/?sid=zz\r\n', undefined],
    ['a handshake names none', poll(), undefined],
    ['another path', poll('s1', '/api/'), undefined],
    ['a parameter that merely ends in sid', 'GET /socket.io/?xsid=1 HTTP/1.1\r\n', undefined],
    ['empty sid', 'GET /socket.io/?sid= HTTP/1.1\r\n', undefined],
    ['bad percent-encoding', 'GET /socket.io/?sid=%E0%A4%A HTTP/1.1\r\n', undefined],
    ['a first chunk cut inside the line', 'GET /socket.io/?EIO=4&sid=abc', 'abc'],
    ['garbage', '\x16\x03\x01\x02\x00', undefined],
  ])('%s', (_name, head, sid) => {
    expect(sessionIdOf(head, '/socket.io/')).toBe(sid);
  });
});

describe('StickyRouter', () => {
  test('a session goes to the worker that opened it, every time', () => {
    const { router } = twoWorkers();
    router.remember('s1', 'b');
    for (let i = 0; i < 5; i += 1) expect(router.route(poll('s1'))).toEqual({ kind: 'owner', worker: 'b', sid: 's1' });
  });

  test('connections that name no session take the ready workers in turn', () => {
    const { router } = twoWorkers();
    const picks = Array.from({ length: 4 }, () => router.route('GET / HTTP/1.1\r\n\r\n'));
    expect(picks.map((r) => (r.kind === 'next' ? r.worker : r.kind))).toEqual(['a', 'b', 'a', 'b']);
  });

  test('an unknown session falls back to the next worker and says which sid it was', () => {
    const { router } = twoWorkers();
    expect(router.route(poll('gone'))).toEqual({ kind: 'next', worker: 'a', sid: 'gone' });
  });

  test("a worker's exit forgets its sessions; its clients' next requests go to a worker still alive", () => {
    const { router } = twoWorkers();
    router.remember('s1', 'a');
    router.remember('s2', 'b');
    router.remove('a');
    expect(router.sessions).toBe(1);
    expect(router.route(poll('s1'))).toEqual({ kind: 'next', worker: 'b', sid: 's1' });
    expect(router.route(poll('s2'))).toEqual({ kind: 'owner', worker: 'b', sid: 's2' });
    // A late report from the dead worker is ignored.
    router.remember('s3', 'a');
    expect(router.sessions).toBe(1);
  });

  test('a draining worker keeps its sessions but gets no new connections', () => {
    const { router } = twoWorkers();
    router.remember('s1', 'a');
    router.retire('a');
    expect(router.route(poll('s1'))).toEqual({ kind: 'owner', worker: 'a', sid: 's1' });
    expect([router.route(poll()), router.route(poll())].map((r) => r.kind === 'next' && r.worker)).toEqual(['b', 'b']);
  });

  test('with every worker draining (TERM), a draining one answers rather than the connection hanging', () => {
    const { router } = twoWorkers();
    router.retire('a');
    router.retire('b');
    expect(router.route(poll())).toMatchObject({ kind: 'next' });
  });

  test('before any worker is ready the connection waits; with no worker at all it is refused', () => {
    const router = new StickyRouter<string>({ path: '/socket.io/' });
    expect(router.route(poll()).kind).toBe('none');
    router.add('a');
    expect(router.route(poll()).kind).toBe('wait');
    router.ready('a');
    expect(router.route(poll())).toEqual({ kind: 'next', worker: 'a' });
  });

  test('the app ending a session (setupWorker) forgets it', () => {
    const { router } = twoWorkers();
    router.remember('s1', 'b');
    router.forget('s1');
    expect(router.route(poll('s1'))).toMatchObject({ kind: 'next', sid: 's1' });
  });

  test('sessions idle longer than SESSION_IDLE_MS are dropped; a used one stays', () => {
    const { router, advance } = twoWorkers();
    router.remember('idle', 'a');
    router.remember('busy', 'b');
    for (let t = 0; t < SESSION_IDLE_MS * 2; t += 25_000) {
      advance(25_000);
      expect(router.route(poll('busy'))).toMatchObject({ kind: 'owner', worker: 'b' });
    }
    expect(router.route(poll('idle'))).toMatchObject({ kind: 'next' });
    expect(router.sessions).toBe(1);
  });

  test('the table never holds more than maxSessions: the least recently used go first', () => {
    const { router } = twoWorkers({ maxSessions: 3 });
    for (const sid of ['s1', 's2', 's3']) router.remember(sid, 'a');
    router.route(poll('s1'));
    router.remember('s4', 'b');
    expect(router.sessions).toBe(3);
    expect(router.route(poll('s2')).kind).toBe('next');
    expect(router.route(poll('s1')).kind).toBe('owner');
    expect(MAX_SESSIONS).toBeGreaterThanOrEqual(10_000);
  });
});
