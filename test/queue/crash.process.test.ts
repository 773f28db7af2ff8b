import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpPrinter, type TcpPrinterDouble } from '../doubles/tcp-printer.js';
import { runStation, stationConfig, type Child } from '../helpers/child.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
const TOKEN = 'crash-test-token-0123456789abcdef';
let zebra: TcpPrinterDouble;
beforeAll(async () => {
  zebra = await startTcpPrinter('zpl');
  zebra.mode = 'slow';
  zebra.bytesPerSecond = 1_000_000;
});
afterAll(() => zebra.close());

async function boot(config: string): Promise<{ child: Child; url: string }> {
  const child = runStation([], { BENCHPRINT_CONFIG: config });
  const ready = await child.waitFor((l) => String(l.msg).startsWith('benchprint ready'), 30_000);
  return { child, url: (ready.kiosk as string[])[0]!.replace('/kiosk', '') };
}

describe('a station killed in the middle of a job', () => {
  it('finds the job in flight on restart, marks it for the operator, and sends nothing again on its own', async () => {
    const config = stationConfig(dir, TOKEN, ['read', 'print'], [{ id: 'tags', driver: 'zpl', uri: zebra.uri, options: { writeTimeoutMs: 60_000 } }]);
    let { child, url } = await boot(config);
    try {
      await child.waitFor((l) => l.msg === 'sync done');
      const res = await fetch(`${url}/api/v1/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ kind: 'labels', printer: 'tags', workOrder: 'WO-24005', line: 10, template: 'hose-tag', quantity: 10_000 }),
      });
      expect(res.status).toBe(201);
      const job = (await res.json()) as { id: string; serials: string[] };
      await expect.poll(() => zebra.received().length, { timeout: 40_000, interval: 50 }).toBeGreaterThan(400_000); // well into the job
      child.proc.kill('SIGKILL');
      await child.exit();
      const labelsAtKill = zebra.labels();
      expect(labelsAtKill).toBeLessThan(10_000);

      ({ child, url } = await boot(config));
      const after = (await (await fetch(`${url}/api/v1/jobs/${job.id}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { state: string; attention: string; history: Array<{ state: string }> };
      expect(after.state).toBe('needs-attention');
      expect(after.attention).toMatch(/The station stopped while this job was printing/);
      expect(after.attention).toMatch(/were confirmed by the printer/);
      expect(after.attention).toContain(job.serials.at(-1)!);
      expect(after.history.map((h) => h.state)).toEqual(['queued', 'printing', 'needs-attention']);
      // Whatever was still in the network buffers arrives (the kernel sends it, then closes the connection); then
      // nothing more, ever, on its own.
      await expect.poll(() => zebra.openJobConnections(), { timeout: 60_000, interval: 100 }).toBe(0);
      const settled = zebra.received().length;
      await new Promise((r) => setTimeout(r, 1500));
      expect(zebra.received().length).toBe(settled);
      expect(zebra.jobs).toHaveLength(1);
    } finally {
      child.proc.kill('SIGKILL');
      await child.exit();
    }
  });
});
