import { renderStatusPage } from '../../../gateway/admin/status-page.ts';
import { VIEW_FUNCTIONS, formatBytes, formatCount, formatDuration, poolSummary, workerRows } from '../../../gateway/admin/status-page-view.ts';
import { cannedStatus } from './status-fixture.ts';

const NOW = Date.UTC(2026, 0, 1, 12);

describe('status page formatting', () => {
  test.each([
    [-1, '–'],
    [850, '850 ms'],
    [42_000, '42 s'],
    [187_000, '3 min 07 s'],
    [2 * 3600_000 + 5 * 60_000, '2 h 05 min'],
    [3 * 86400_000 + 4 * 3600_000, '3 d 4 h'],
  ])('duration %i → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  test.each([
    [512, '512 B'],
    [2048, '2.00 KiB'],
    [92.4 * 1024 * 1024, '92.4 MiB'],
    [Number.NaN, '–'],
  ])('bytes %d → %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));

  test('counts are grouped by thousands', () => {
    expect(formatCount(152_311)).toBe('152,311');
    expect(formatCount(7)).toBe('7');
  });

  test('one row per worker, oldest id first, silent workers flagged', () => {
    const rows = workerRows(cannedStatus(NOW), NOW);
    expect(rows.map((r) => r.id)).toEqual(['7', '8', '9', '11']);
    expect(rows[0]).toMatchObject({ pid: '4187', age: '3 h 00 min', state: 'ready', requests: '152,311', inFlight: '4', longLived: '1,204 / 3', elu: '83 %', eluPercent: 83, rss: '92.4 MiB', stale: false });
    expect(rows.find((r) => r.id === '9')?.stale).toBe(true);
  });

  test('the pool summary shows serving vs target, bounds, draining and restarts by cause', () => {
    const status = cannedStatus(NOW);
    expect(poolSummary(status, NOW)).toEqual({
      serving: '2 / 3',
      bounds: '1 – 4',
      draining: false,
      restarts: '7 (crash 2, recycle 5)',
      uptime: '3 h 02 min',
      master: 'pid 4100 · v0.1.0',
    });
    const fixed = { ...status, minWorkers: 2, maxWorkers: 2, restarts: {}, draining: true };
    expect(poolSummary(fixed, NOW)).toMatchObject({ bounds: 'fixed 2', restarts: 'none', draining: true });
  });
});

describe('renderStatusPage', () => {
  const page = renderStatusPage();

  test('is one self-contained document: no external scripts, styles, images or fonts', () => {
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).not.toMatch(/\b(src|href)=["']?(https?:)?\/\//i);
    expect(page).not.toMatch(/@import|url\(/i);
    expect(page).toContain('<script>');
  });

  test('its inline view functions run on their own and agree with the module', () => {
    // The page carries the functions' source; evaluate that source alone, as the browser does.
    const source = page.slice(page.indexOf('<script>') + '<script>'.length, page.indexOf('function cell('));
    for (const fn of VIEW_FUNCTIONS) expect(source).toContain(`function ${fn.name}(`);
    const standalone = new Function(`${source}; return { workerRows, poolSummary };`)() as {
      workerRows: typeof workerRows;
      poolSummary: typeof poolSummary;
    };
    const status = JSON.parse(JSON.stringify(cannedStatus(NOW)));
    expect(standalone.workerRows(status, NOW)).toEqual(workerRows(status, NOW));
    expect(standalone.poolSummary(status, NOW)).toEqual(poolSummary(status, NOW));
  });
});
