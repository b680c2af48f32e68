/**
 * A worker holding WebSockets is SIGKILLed while every socket carries echo traffic. Its clients see
 * 1006 (a killed process sends no close frame) and reconnect, as a reconnecting client does, landing
 * on another worker; the other workers' clients keep theirs, with every echo answered. The same app
 * (bench/peers/fault-ws.ts) runs on the gateway and on PM2's cluster mode; gunicorn's sync workers
 * cannot hold WebSockets. Loopback only; each loop is bounded by the scenario's duration.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import type { ScenarioResult } from './result.ts';
import { startFaultTarget, waitFor, type TargetKind } from './targets.ts';

/** One client: its current socket and worker, what it sent and got back, how it ended. */
interface EchoClient {
  ws: WebSocket;
  pid: number;
  firstPid: number;
  sent: number;
  answered: number;
  /** Sent, never answered (a survivor must have none). */
  lost: number;
  closes: number[];
  /** Handshakes that failed while reconnecting. */
  failedHandshakes: number;
  reconnectedAt?: number;
  /** `answered` when it reconnected: echoes beyond it went through the new worker. */
  answeredBefore?: number;
}

/** A WebSocket to /ws and the pid of the worker that took it. */
function connect(port: number): Promise<{ ws: WebSocket; pid: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false, handshakeTimeout: 3000 });
    ws.once('error', reject);
    ws.once('open', () => ws.send('who'));
    ws.once('message', (data) => {
      ws.off('error', reject);
      ws.on('error', () => {}); // a cut connection also ends in 'close', which is what is counted
      resolve({ ws, pid: Number(/pid=(\d+)/.exec(data.toString())?.[1]) });
    });
  });
}

/** One echo round trip; false when the socket closed first or no answer came within 3 s. */
function roundTrip(ws: WebSocket, n: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      ws.off('message', onMessage);
      ws.off('close', onClose);
      resolve(ok);
    };
    const onMessage = (data: Buffer) => done(data.toString() === String(n));
    const onClose = () => done(false);
    const timer = setTimeout(() => done(false), 3000);
    ws.on('message', onMessage);
    ws.once('close', onClose);
    ws.send(String(n));
  });
}

/** Echo until `until`; on a close, record its code and reconnect (at most 20 tries, 100 ms apart). */
async function pump(client: EchoClient, port: number, until: number, pauseMs: number): Promise<void> {
  while (Date.now() < until) {
    if (client.ws.readyState === WebSocket.OPEN) {
      client.sent += 1;
      if (await roundTrip(client.ws, client.sent)) client.answered += 1;
      else if (client.ws.readyState === WebSocket.OPEN) client.lost += 1;
      await sleep(pauseMs);
      continue;
    }
    if (client.ws.readyState !== WebSocket.CLOSED) await new Promise((r) => client.ws.once('close', r));
    let reconnected = false;
    for (let attempt = 0; attempt < 20 && !reconnected && Date.now() < until; attempt += 1) {
      try {
        const again = await connect(port);
        Object.assign(client, again, { reconnectedAt: Date.now(), answeredBefore: client.answered });
        watchClose(client);
        reconnected = true;
      } catch {
        client.failedHandshakes += 1;
        await sleep(100);
      }
    }
    if (!reconnected) return;
  }
}

const watchClose = (client: EchoClient) => client.ws.once('close', (code: number) => client.closes.push(code));

/**
 * Open `sockets` WebSockets on 2 workers, echo on all of them for `durationS`, SIGKILL the worker
 * holding the most a third of the way in.
 */
export async function killWebSocketWorker(kind: TargetKind, sockets: number, durationS: number): Promise<ScenarioResult> {
  const scenario = `SIGKILL a worker holding WebSockets (${sockets} sockets echoing on 2 workers, ${durationS} s)`;
  const target = await startFaultTarget(kind, { app: 'bench/peers/fault-ws.ts', pm2Script: 'bench/peers/pm2-fault-ws.ts' });
  const clients: EchoClient[] = [];
  try {
    for (let i = 0; i < sockets; i += 20) {
      const batch = await Promise.all(Array.from({ length: Math.min(20, sockets - i) }, () => connect(target.port)));
      for (const { ws, pid } of batch) {
        const client: EchoClient = { ws, pid, firstPid: pid, sent: 0, answered: 0, lost: 0, closes: [], failedHandshakes: 0 };
        watchClose(client);
        clients.push(client);
      }
    }
    const held = new Map<number, number>();
    for (const c of clients) held.set(c.pid, (held.get(c.pid) ?? 0) + 1);
    const [victim] = [...held.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const until = Date.now() + durationS * 1000;
    const pumps = clients.map((c) => pump(c, target.port, until, 20));
    await sleep((durationS * 1000) / 3);
    const killedAt = Date.now();
    process.kill(victim, 'SIGKILL');
    const replaced = waitFor(async () => (await target.workerPids()).filter((pid) => pid !== victim).length >= 2, 15_000 + durationS * 1000);
    await Promise.all(pumps);
    const backMs = await replaced;

    const cut = clients.filter((c) => c.firstPid === victim);
    const kept = clients.filter((c) => c.firstPid !== victim);
    const codes = new Map<number, number>();
    for (const c of cut) for (const code of c.closes) codes.set(code, (codes.get(code) ?? 0) + 1);
    const elsewhere = cut.filter((c) => c.ws.readyState === WebSocket.OPEN && c.pid !== victim && c.reconnectedAt !== undefined);
    const echoedAfter = elsewhere.filter((c) => c.answered > c.answeredBefore!);
    const failedHandshakes = cut.reduce((n, c) => n + c.failedHandshakes, 0);
    const lastBack = Math.max(...elsewhere.map((c) => c.reconnectedAt!)) - killedAt;
    const keptClosed = kept.filter((c) => c.closes.length > 0).length;
    const keptLost = kept.reduce((n, c) => n + c.lost, 0);
    const keptEchoes = kept.reduce((n, c) => n + c.answered, 0);
    const echoes = clients.reduce((n, c) => n + c.answered, 0);
    const passed = held.size === 2 && kept.length > 0 && cut.every((c) => c.closes[0] === 1006) &&
      elsewhere.length === cut.length && echoedAfter.length === cut.length && keptClosed === 0 && keptLost === 0;
    const codeText = [...codes.entries()].map(([code, n]) => `${n}× ${code}`).join(', ');
    return {
      scenario,
      target: kind,
      passed,
      summary: `the killed worker held ${cut.length} of ${clients.length}: ${codeText || 'none closed'}; ${elsewhere.length} reconnected to another worker ` +
        `(last ${(lastBack / 1000).toFixed(1)} s after the kill, ${failedHandshakes} failed handshakes on the way); ` +
        `the other ${kept.length} kept theirs: ${keptClosed} closed, ${keptLost} of ${(keptEchoes + keptLost).toLocaleString('en')} echoes lost; ` +
        `${echoes.toLocaleString('en')} echoes in all; pool back to 2 ${backMs === undefined ? 'not in time' : `${(backMs / 1000).toFixed(1)} s after the kill`}` +
        `${echoedAfter.length < cut.length ? `; only ${echoedAfter.length} echoed after reconnecting` : ''}`,
    };
  } finally {
    for (const c of clients) c.ws.terminate();
    await target.server.stop('SIGTERM', 5000);
  }
}
