/**
 * Wait until a URL answers 200, giving up when a deadline passes or when the process that should
 * answer has already exited (no point waiting 30 s for a gateway that failed to boot).
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Poll `url` until it answers 200; throws with the last status/error seen. */
export async function waitForOk(url: string, options: { timeoutMs: number; gaveUp?: () => string | undefined }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const reason = options.gaveUp?.();
    if (reason) throw new Error(`${url} will not answer: ${reason}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.status === 200) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    }
    await sleep(200);
  }
  throw new Error(`${url} did not answer 200 within ${options.timeoutMs / 1000} s (last: ${last})`);
}
