import { jest } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { closeFrame, trackUpgrades } from '../../../gateway/worker/upgraded.ts';

/** A socket stand-in whose byte counters the test sets; records what the tracker writes. */
function fakeSocket(written = 0) {
  const socket = Object.assign(new PassThrough(), { bytesRead: 100, bytesWritten: written, frames: [] as Buffer[] });
  socket.write = ((chunk: Buffer) => (socket.frames.push(chunk), true)) as typeof socket.write;
  return socket;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a handshake the app has not answered yet gets no frame of ours (it would precede the 101)', async () => {
  const tracker = trackUpgrades({ pingIntervalMs: 20 });
  const pending = fakeSocket(5); // 5 bytes from an earlier keep-alive response on this connection
  tracker.add('websocket', pending);
  await sleep(80);
  tracker.drain(1012, 10_000);
  expect(pending.frames).toEqual([]);
  pending.bytesWritten = 200; // the 101 went out
  await sleep(60);
  expect(pending.frames[0]).toEqual(Buffer.from([0x89, 0x00]));
  tracker.stop();
});

test('drain sends the close code to answered WebSockets only, and destroys everything at the deadline', async () => {
  const tracker = trackUpgrades({ pingIntervalMs: 0 });
  const ws = fakeSocket();
  const other = fakeSocket();
  tracker.add('websocket', ws);
  tracker.add('h2c', other);
  ws.bytesWritten = 129;
  other.bytesWritten = 129;
  tracker.drain(1012, 50);
  expect(ws.frames).toEqual([closeFrame(1012, 'service restart')]);
  expect(other.frames).toEqual([]);
  await sleep(100);
  expect([ws.destroyed, other.destroyed]).toEqual([true, true]);
  expect(tracker.open).toBe(0);
});

test('a close frame carries the code big-endian and the reason', () => {
  expect(closeFrame(1012, 'service restart')).toEqual(Buffer.concat([Buffer.from([0x88, 17, 0x03, 0xf4]), Buffer.from('service restart')]));
});

describe('heartbeats on a fake clock (interval 1 s)', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());
  const isPing = (chunk: Buffer) => chunk.equals(Buffer.from([0x89, 0x00]));

  /** A peer that sends a byte every 100 ms until `lastByteAt`, then nothing; when was it destroyed? */
  function goSilent(lastByteAt: number): { destroyedAt: number | undefined; pingsBeforeClose: number } {
    const tracker = trackUpgrades({ pingIntervalMs: 1000 });
    const peer = fakeSocket();
    tracker.add('websocket', peer);
    peer.bytesWritten = 129; // the 101 went out
    let destroyedAt: number | undefined;
    for (let t = 0; t <= lastByteAt + 5000 && destroyedAt === undefined; t += 1) {
      if (t <= lastByteAt && t % 100 === lastByteAt % 100) peer.bytesRead += 1;
      jest.advanceTimersByTime(1);
      if (peer.destroyed) destroyedAt = t + 1;
    }
    tracker.stop();
    return { destroyedAt, pingsBeforeClose: peer.frames.filter(isPing).length };
  }

  test.each([1, 200, 499, 501, 800, 999])('a peer silent from 3 s + %i ms is pinged, then closed within two intervals of its last byte', (offset) => {
    const lastByteAt = 3000 + offset;
    const { destroyedAt, pingsBeforeClose } = goSilent(lastByteAt);
    expect(pingsBeforeClose).toBe(1);
    expect(destroyedAt! - lastByteAt).toBeLessThanOrEqual(2000);
    // and it had at least a full interval to answer its ping
    expect(destroyedAt! - lastByteAt).toBeGreaterThanOrEqual(1500);
  });

  test('a peer that answers every ping is never closed; one that keeps talking is never pinged', () => {
    const tracker = trackUpgrades({ pingIntervalMs: 1000 });
    const idle = fakeSocket(); // answers each ping 900 ms late: still within the interval it has
    idle.write = ((chunk: Buffer) => {
      idle.frames.push(chunk);
      if (isPing(chunk)) setTimeout(() => (idle.bytesRead += 6), 900);
      return true;
    }) as typeof idle.write;
    const chatty = fakeSocket();
    for (const s of [idle, chatty]) {
      tracker.add('websocket', s);
      s.bytesWritten = 129;
    }
    for (let t = 0; t < 60_000; t += 100) {
      chatty.bytesRead += 10;
      jest.advanceTimersByTime(100);
    }
    tracker.stop();
    expect([idle.destroyed, chatty.destroyed]).toEqual([false, false]);
    expect(idle.frames.filter(isPing).length).toBeGreaterThanOrEqual(30); // about one an interval
    expect(chatty.frames).toEqual([]);
  });
});
