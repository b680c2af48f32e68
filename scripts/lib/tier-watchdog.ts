/**
 * Stops the local stack's tiers when `npm start` dies without stopping them: SIGKILL, an OOM kill,
 * a CI timeout. The tiers run in their own process groups (so the stack decides the stop order),
 * which also means nothing stops them when the stack is gone. This small process holds no state
 * but the tiers' pids; the stack keeps the write end of its stdin, the kernel closes that end when
 * the stack dies however it dies, and end-of-input here means "the supervisor is gone".
 *
 * Started by `startWatchdog` (tier-process.ts) in its own session, so Ctrl-C or a closed terminal
 * reaches the stack, which stops the tiers in order, and not this process. Lines on stdin:
 *   watch PID SIGNAL   a tier's main process (leader of its group) and its graceful stop signal
 *   forget PID         that tier has exited; never signal its pid again (it may be reused)
 *
 *   node scripts/lib/tier-watchdog.ts GRACE_MS
 */
import { createInterface } from 'node:readline';

const graceMs = Number(process.argv[2] ?? 5_000);
const watched = new Map<number, NodeJS.Signals>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals | 0): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

async function stopTiers(): Promise<void> {
  if (watched.size === 0) return;
  // The terminal (or CI log) may be gone with the stack; a failed write must not stop the cleanup.
  process.stderr.on('error', () => {});
  process.stderr.write(`[stack] the stack's supervisor is gone: stopping its tiers (pids ${[...watched.keys()].join(', ')})\n`);
  for (const [pid, sig] of watched) signal(pid, sig);
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && [...watched.keys()].some(isAlive)) await new Promise((r) => setTimeout(r, 100));
  // Whatever is left of each tier, its workers included, goes now.
  for (const pid of watched.keys()) signal(-pid, 'SIGKILL');
}

createInterface({ input: process.stdin, crlfDelay: Infinity })
  .on('line', (line) => {
    const [verb, pid, sig] = line.trim().split(' ');
    if (verb === 'watch' && pid && sig) watched.set(Number(pid), sig as NodeJS.Signals);
    if (verb === 'forget' && pid) watched.delete(Number(pid));
  })
  .on('close', () => void stopTiers().then(() => process.exit(0)));
