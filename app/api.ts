/**
 * The JSON API under `/api`. Besides a small validated resource (notes), it has endpoints that make
 * the stack visible: which worker answered, CPU work that occupies a worker, and a wait that ends
 * early when the client leaves or the gateway's request deadline passes.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { requestSignal, whoAnswered, type AppEnv } from './context.ts';

/** Upper bounds, so one request cannot occupy a worker for long. */
export const LIMITS = { workMs: 5_000, sleepMs: 60_000, noteLength: 280, notesKept: 100 } as const;

const NoteInput = z.object({
  text: z.string().trim().min(1, 'must not be empty').max(LIMITS.noteLength),
  tags: z.array(z.string().min(1).max(32)).max(8).optional(),
});

const Duration = (max: number) => z.object({ ms: z.coerce.number().int().min(0).max(max) });

/** One line naming every bad field, e.g. `text: must not be empty; tags.0: expected string`. */
function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
}

function badRequest(c: Context<AppEnv>, error: z.ZodError) {
  return c.json({ error: 'invalid request', detail: describeIssues(error) }, 400);
}

// Notes live in the worker's memory: each worker has its own list. That is on purpose — it shows
// why real state belongs in a database shared by all workers, not in a process.
const notes: { id: number; text: string; tags: string[]; workerId: number }[] = [];
let nextId = 1;

/** The `/api` routes. */
export const api = new Hono<AppEnv>();

api.get('/whoami', (c) => c.json(whoAnswered(c)));

api.get('/work', (c) => {
  const parsed = Duration(LIMITS.workMs).safeParse(c.req.query());
  if (!parsed.success) return badRequest(c, parsed.error);
  // A busy loop on purpose: it blocks this worker's event loop, as real CPU-bound work would.
  const started = performance.now();
  let spins = 0;
  while (performance.now() - started < parsed.data.ms) spins += 1;
  return c.json({ ...whoAnswered(c), ms: parsed.data.ms, spins });
});

api.get('/sleep', async (c) => {
  const parsed = Duration(LIMITS.sleepMs).safeParse(c.req.query());
  if (!parsed.success) return badRequest(c, parsed.error);
  const signal = requestSignal(c);
  try {
    await sleep(parsed.data.ms, undefined, { signal });
  } catch (error) {
    // The client left or the gateway's deadline passed (it answers 504 itself): stop working now.
    if (signal.aborted) return c.json({ error: 'request aborted' }, 503);
    throw error;
  }
  return c.json({ ...whoAnswered(c), ms: parsed.data.ms });
});

api.get('/notes', (c) => c.json({ workerId: whoAnswered(c).workerId, notes }));

api.post('/notes', async (c) => {
  const body: unknown = await c.req.json().catch(() => undefined);
  if (body === undefined) return c.json({ error: 'invalid request', detail: '(body): expected a JSON object' }, 400);
  const parsed = NoteInput.safeParse(body);
  if (!parsed.success) return badRequest(c, parsed.error);
  const note = { id: nextId++, text: parsed.data.text, tags: parsed.data.tags ?? [], workerId: whoAnswered(c).workerId };
  notes.push(note);
  if (notes.length > LIMITS.notesKept) notes.shift();
  return c.json(note, 201);
});
