/**
 * The status page's view logic: pure functions from a PoolStatus (as JSON) to display strings. They run
 * in the browser: status-page.ts embeds their source (`Function.prototype.toString`) in the page's
 * inline script, so jest tests the very code Chromium runs. Hence the rules here: plain `function`
 * declarations, no imports used at run time, no closures over module scope, only globals every
 * browser has.
 */
import type { PoolStatus, WorkerState } from '../protocol.ts';

/** One table row, every cell already formatted. */
export interface WorkerRow {
  id: string;
  pid: string;
  age: string;
  state: WorkerState;
  requests: string;
  inFlight: string;
  /** Open WebSockets / streamed responses, as "12 / 3". */
  longLived: string;
  /** 0..100, for the bar. */
  eluPercent: number;
  elu: string;
  rss: string;
  lastSeen: string;
  /** No heartbeat for over 5 s: the row is shown as suspect. */
  stale: boolean;
}

/** The pool line above the table. */
export interface PoolSummary {
  serving: string;
  bounds: string;
  draining: boolean;
  restarts: string;
  uptime: string;
  master: string;
}

/** "850 ms", "42 s", "3 min 07 s", "2 h 05 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${pad(Math.floor((s % 3600) / 60))} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** Bytes in binary units: "512 B", "48.2 MiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** 12345 → "12,345" (fixed grouping, independent of the browser's locale). */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '–';
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The rows of the worker table, oldest worker first. */
export function workerRows(status: PoolStatus, now: number): WorkerRow[] {
  return status.workers
    .slice()
    .sort((a, b) => a.id - b.id)
    .map((w) => {
      const elu = Math.min(1, Math.max(0, Number(w.elu) || 0));
      return {
        id: String(w.id),
        pid: String(w.pid),
        age: formatDuration(now - w.startedAt),
        state: w.state,
        requests: formatCount(w.requests),
        inFlight: formatCount(w.inFlight),
        longLived: `${formatCount(w.webSockets ?? 0)} / ${formatCount(w.streams ?? 0)}`,
        eluPercent: Math.round(elu * 100),
        elu: `${Math.round(elu * 100)} %`,
        rss: formatBytes(w.rss),
        lastSeen: formatDuration(w.lastSeenMs),
        stale: w.lastSeenMs > 5000,
      };
    });
}

/** The pool summary: serving vs target, bounds, draining, restarts by cause. */
export function poolSummary(status: PoolStatus, now: number): PoolSummary {
  const ready = status.workers.filter((w) => w.state === 'ready').length;
  const causes = Object.entries(status.restarts).filter((entry) => (entry[1] ?? 0) > 0);
  const total = causes.reduce((sum, entry) => sum + (entry[1] ?? 0), 0);
  return {
    serving: `${ready} / ${status.target}`,
    bounds: status.minWorkers === status.maxWorkers ? `fixed ${status.maxWorkers}` : `${status.minWorkers} – ${status.maxWorkers}`,
    draining: status.draining,
    restarts: total === 0 ? 'none' : `${total} (${causes.map((entry) => `${entry[0]} ${entry[1]}`).join(', ')})`,
    uptime: formatDuration(now - status.master.startedAt),
    master: `pid ${status.master.pid} · v${status.master.version}`,
  };
}

/** Every function above, in dependency order, for the page's inline script. */
export const VIEW_FUNCTIONS = [formatDuration, formatBytes, formatCount, workerRows, poolSummary];
