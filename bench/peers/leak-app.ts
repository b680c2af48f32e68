/**
 * A leaking fetch app: every request keeps 512 KiB reachable forever, so a worker's RSS climbs
 * until the gateway's `--max-memory` ceiling recycles it.
 */
const kept: Buffer[] = [];

export default {
  fetch(): Response {
    // fill() touches every page, so the leak shows in RSS and not only in reserved address space.
    kept.push(Buffer.alloc(512 * 1024).fill(kept.length & 0xff));
    return new Response('ok\n', { headers: { 'x-worker-pid': String(process.pid) } });
  },
};
