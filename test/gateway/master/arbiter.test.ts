import { harness, settle, testSettings } from './fake-process-api.ts';

const ready = { type: 'ready' } as const;
const beat = { type: 'heartbeat', load: { requests: 0, inFlight: 0, elu: 0.1, rss: 1 } } as const;

describe('arbiter: bringing the pool to size', () => {
  test('forks the initial workers and counts them serving only once they report ready', () => {
    const h = harness();
    h.step();
    expect(h.procs.forks).toHaveLength(2);
    expect(h.arbiter.status().workers.map((w) => w.state)).toEqual(['booting', 'booting']);
    expect(h.arbiter.isReady()).toBe(false);
    h.procs.emit(1, ready);
    h.step();
    expect(h.arbiter.isReady()).toBe(true);
    expect(h.hookCalls.filter((c) => c === 'whenReady')).toHaveLength(1);
    expect(h.procs.forks).toHaveLength(2); // no extra forks once at target
  });

  test('a serving worker that crashes is replaced at once, however often it happens', () => {
    const h = harness({ settings: testSettings({ workers: 1 }) });
    h.step();
    for (let n = 1; n <= 5; n++) {
      h.procs.emit(n, ready);
      h.step(100);
      h.procs.exit(n, null, 'SIGKILL');
      h.step(10);
      expect(h.procs.forks).toHaveLength(n + 1); // replaced on the next tick, no backoff
    }
    expect(h.arbiter.status().restarts.crash).toBe(5);
    expect(h.hookCalls.filter((c) => c === 'childExit')).toHaveLength(5);
  });

  test('workers that crash while booting back off instead of looping hot', () => {
    const h = harness({ settings: testSettings({ workers: 1 }) });
    h.step();
    h.procs.exit(1, 1);
    h.step();
    expect(h.procs.forks).toHaveLength(2); // first crash: replaced at once
    h.procs.exit(2, 1);
    h.step(10);
    expect(h.procs.forks).toHaveLength(2); // second crash in the window: backoff
    h.step(300);
    expect(h.procs.forks).toHaveLength(3);
    h.procs.exit(3, 1);
    h.step();
    h.step(300);
    expect(h.procs.forks).toHaveLength(3); // the delay doubles to 500 ms
    h.step(300);
    expect(h.procs.forks).toHaveLength(4);
  });

  test('TTIN and TTOU move a fixed pool by one, never below one worker', () => {
    const h = harness({ settings: testSettings({ workers: 1 }) });
    h.step();
    h.procs.emit(1, ready);
    h.arbiter.signal('SIGTTIN');
    h.step();
    expect(h.arbiter.status().target).toBe(2);
    expect(h.procs.forks).toHaveLength(2);
    h.procs.emit(2, ready);
    h.arbiter.signal('SIGTTOU');
    h.arbiter.signal('SIGTTOU');
    h.step();
    expect(h.arbiter.status().target).toBe(1);
    // The oldest worker is the one retired.
    expect(h.procs.worker(1).sent).toContainEqual({ type: 'drain', deadlineMs: 30_000 });
    expect(h.procs.worker(2).sent).toEqual([]);
    expect(h.hookCalls.filter((c) => c === 'nworkersChanged')).toHaveLength(2);
  });

  test('an autoscaled pool keeps manual targets within its bounds', () => {
    const settings = testSettings({ workers: 2 });
    const h = harness({ settings, pool: { initial: 2, min: 1, max: 3, autoscale: true } });
    h.step();
    h.arbiter.setTarget(10);
    h.step();
    expect(h.arbiter.status().target).toBe(3);
    h.arbiter.setTarget(0);
    h.step();
    expect(h.arbiter.status().target).toBe(1);
  });
});

describe('arbiter: hung and stuck workers', () => {
  test('a worker silent past `timeout` gets workerAbort, SIGKILL and a replacement', () => {
    const h = harness({ settings: testSettings({ workers: 2, timeout: 5 }) });
    h.step();
    h.procs.emit(1, ready);
    h.procs.emit(2, ready);
    h.step();
    h.step(4000);
    h.procs.emit(2, beat); // worker 2 keeps beating, worker 1 falls silent
    h.step(2000);
    expect(h.procs.worker(1).signals).toEqual(['SIGKILL']);
    expect(h.procs.worker(2).signals).toEqual([]);
    expect(h.hookCalls).toContain('workerAbort');
    h.procs.exit(1, null, 'SIGKILL');
    h.step();
    expect(h.arbiter.status().restarts.timeout).toBe(1);
    expect(h.procs.forks).toHaveLength(3);
  });

  test('a worker whose init hangs past bootTimeout is replaced even while it heartbeats', () => {
    const h = harness({ settings: testSettings({ workers: 1, bootTimeout: 3 }) });
    h.step();
    h.step(2000);
    h.procs.emit(1, beat);
    h.step(1500);
    expect(h.procs.worker(1).signals).toEqual(['SIGKILL']);
  });
});

describe('arbiter: recycling and reload never dip below the target', () => {
  test('a recycling worker drains only after its replacement is ready', () => {
    const h = harness({ settings: testSettings({ workers: 1 }) });
    h.step();
    h.procs.emit(1, ready);
    h.procs.emit(1, { type: 'recycle', reason: 'max-requests' });
    h.step();
    expect(h.procs.forks).toHaveLength(2);
    expect(h.procs.worker(1).sent).toEqual([]); // still serving
    h.procs.emit(2, ready);
    h.step();
    expect(h.procs.worker(1).sent).toEqual([{ type: 'drain', deadlineMs: 30_000 }]);
    h.procs.exit(1, 0);
    h.step();
    expect(h.arbiter.status().restarts.recycle).toBe(1);
    expect(h.procs.forks).toHaveLength(2);
  });

  test('HUP forks a new generation and retires the old one as the new becomes ready', async () => {
    const settings = testSettings({ workers: 2 });
    const h = harness({
      settings,
      reload: async () => ({ settings, hooks: {}, pool: { initial: 2, min: 2, max: 2, autoscale: false } }),
    });
    h.step();
    h.procs.emit(1, ready);
    h.procs.emit(2, ready);
    h.arbiter.signal('SIGHUP');
    h.step();
    await settle();
    h.step();
    expect(h.procs.forks.map((f) => f.env.GEN)).toEqual(['1', '1', '2', '2']);
    h.procs.emit(3, ready);
    h.step();
    const drained = [1, 2].filter((n) => h.procs.worker(n).sent.length > 0);
    expect(drained).toEqual([1]); // one new ready → one old leaves
    h.procs.emit(4, ready);
    h.step();
    expect(h.procs.worker(2).sent).toHaveLength(1);
    expect(h.arbiter.isReady()).toBe(true);
  });

  test('a reload whose new app cannot boot is cancelled and the old workers keep serving', async () => {
    const settings = testSettings({ workers: 1 });
    const h = harness({ settings, reload: async () => ({ settings, hooks: {}, pool: { initial: 1, min: 1, max: 1, autoscale: false } }) });
    h.step();
    h.procs.emit(1, ready);
    h.arbiter.signal('SIGHUP');
    h.step();
    await settle();
    h.step();
    h.procs.emit(2, { type: 'boot-failed', code: 'APP_IMPORT_FAILED', message: 'boom' });
    h.procs.exit(2, 4);
    h.step();
    h.step(1000);
    expect(h.done).toEqual([]);
    expect(h.procs.worker(1).sent).toEqual([]);
    expect(h.arbiter.status().workers.map((w) => [w.id, w.state])).toEqual([[1, 'ready']]);
    expect(h.procs.forks).toHaveLength(2); // no respawn of the broken generation
  });
});

describe('arbiter: stopping', () => {
  test('TERM turns readiness off at once, drains every worker and exits 0 when they are gone', () => {
    const h = harness();
    h.step();
    h.procs.emit(1, ready);
    h.procs.emit(2, ready);
    h.step();
    h.arbiter.signal('SIGTERM');
    h.step();
    expect(h.arbiter.isReady()).toBe(false);
    expect(h.arbiter.status().draining).toBe(true);
    expect(h.procs.worker(1).sent).toEqual([{ type: 'drain', deadlineMs: 30_000 }]);
    h.procs.exit(1, 0);
    h.procs.exit(2, 0);
    h.step();
    expect(h.done).toEqual([{ code: 0, reason: 'stopped' }]);
    expect(h.hookCalls).toContain('onExit');
    expect(h.procs.forks).toHaveLength(2); // nothing respawned while stopping
  });

  test('a worker still busy at the graceful deadline is killed', () => {
    const h = harness({ settings: testSettings({ workers: 1, gracefulTimeout: 5, timeout: 100 }) });
    h.step();
    h.procs.emit(1, ready);
    h.arbiter.signal('SIGTERM');
    h.step();
    h.step(4000);
    expect(h.procs.worker(1).signals).toEqual([]);
    h.step(2000);
    expect(h.procs.worker(1).signals).toEqual(['SIGKILL']);
  });

  test('drainDelay keeps serving with readiness off before the workers are told to drain', () => {
    const h = harness({ settings: testSettings({ workers: 1, drainDelay: 3, timeout: 100 }) });
    h.step();
    h.procs.emit(1, ready);
    h.arbiter.signal('SIGTERM');
    h.step();
    expect(h.arbiter.isReady()).toBe(false);
    expect(h.procs.worker(1).sent).toEqual([]);
    h.step(3100);
    expect(h.procs.worker(1).sent).toHaveLength(1);
  });

  test('INT is a quick stop: SIGQUIT to every worker', () => {
    const h = harness();
    h.step();
    h.arbiter.signal('SIGINT');
    h.step();
    expect(h.procs.forks.map((f) => f.signals)).toEqual([['SIGQUIT'], ['SIGQUIT']]);
  });

  test('a worker that cannot load the app stops the master with exit 4 instead of a restart loop', () => {
    const h = harness();
    h.step();
    h.procs.emit(1, { type: 'boot-failed', code: 'APP_IMPORT_FAILED', message: 'cannot import the app module: x' });
    h.procs.exit(1, 4);
    h.step();
    expect(h.procs.worker(2).signals).toEqual(['SIGQUIT']);
    h.procs.exit(2, 0);
    h.step();
    expect(h.done).toHaveLength(1);
    expect(h.done[0]!.code).toBe(4);
    expect(h.done[0]!.reason).toContain('cannot import the app module');
    expect(h.procs.forks).toHaveLength(2);
  });
});
