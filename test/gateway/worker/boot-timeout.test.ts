/** A worker bounds its apps' init() by bootTimeout and tells the master why it gives up. */
import { ExitCode } from '../../../gateway/errors.ts';
import { bootMarginMs } from '../../../gateway/worker/worker.ts';
import { workerHarness } from './fake-worker-port.ts';

describe('worker: init() and bootTimeout', () => {
  test('an init() still pending near bootTimeout is APP_INIT_TIMEOUT (exit 4), reported before the master would kill', async () => {
    const h = workerHarness({ app: { init: () => new Promise<void>(() => {}), fetch: () => new Response('never') }, settings: { bootTimeout: 1 } });
    void h.worker.start();
    expect(await h.port.exited()).toBe(ExitCode.APP_LOAD);
    expect(h.port.ofType('boot-failed')).toEqual([{
      type: 'boot-failed', code: 'APP_INIT_TIMEOUT', message: expect.stringMatching(/^the app's init\(\) did not finish in time: .*bootTimeout 1 s, --boot-timeout/),
    }]);
    expect(h.port.ofType('ready')).toEqual([]);
    expect(h.server.listening).toBe(false);
  });

  test('an init() that finishes within bootTimeout boots normally', async () => {
    const h = workerHarness({ app: { init: () => new Promise<void>((r) => setTimeout(r, 100)), fetch: () => new Response('up') }, settings: { bootTimeout: 1 } });
    await h.worker.start();
    await h.port.ready();
    expect(await (await fetch(h.url())).text()).toBe('up');
    // Past the deadline the bound is gone: no late boot failure.
    await new Promise((r) => setTimeout(r, 1000));
    expect(h.port.ofType('boot-failed')).toEqual([]);
    h.worker.drain();
    expect(await h.port.exited()).toBe(ExitCode.OK);
  });
});

describe('bootMarginMs: what a worker keeps back of bootTimeout to report its own boot error first', () => {
  test.each([
    [1, 500], // never less than 0.5 s
    [4, 1000], // a quarter
    [30, 2000], // never more than 2 s of a long budget
  ])('bootTimeout %i s keeps %i ms', (bootTimeout, margin) => {
    expect(bootMarginMs(bootTimeout)).toBe(margin);
  });
});
