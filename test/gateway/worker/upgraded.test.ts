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
