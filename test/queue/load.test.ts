import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { startTcpPrinter, type TcpPrinterDouble } from '../doubles/tcp-printer.js';
import { soon, zplLabels } from '../helpers/queue.js';
import { demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
let station: RunningStation;
let doubles: TcpPrinterDouble[];

beforeAll(async () => {
  doubles = await Promise.all([1, 2, 3].map(() => startTcpPrinter('zpl')));
  station = await demoStation(dir, (c) => {
    c.printers = doubles.map((d, i) => ({ id: `p${i}`, driver: 'zpl', uri: d.uri, dpmm: 8 as const, options: {} }));
  });
});
afterAll(async () => {
  await station.stop();
  await Promise.all(doubles.map((d) => d.close()));
});

describe('queue under load', () => {
  it('prints 2,000 jobs across three printers with exactly the labels asked for at each, each printer in order', async () => {
    const asked = [0, 0, 0];
    const order: string[][] = [[], [], []];
    for (let n = 0; n < 2000; n++) {
      const p = n % 3;
      const labels = 1 + (n % 4);
      asked[p]! += labels;
      station.queue.submit({ printerId: `p${p}`, requestedBy: 'load', kind: 'raw', document: zplLabels(labels, `job${n}`), expiresAt: soon(600_000) });
      order[p]!.push(`job${n} 1 of`);
    }
    await station.queue.runUntilIdle(120_000);
    expect(doubles.map((d) => d.labels())).toEqual(asked);
    // Labels of one job never interleave with another's, and jobs print in the order they were queued.
    for (const [p, d] of doubles.entries()) {
      const firsts = [...d.received().toString('latin1').matchAll(/\^FD(job\d+) 1 of/g)].map((m) => `${m[1]} 1 of`);
      expect(firsts).toEqual(order[p]);
    }
    expect(station.jobs.list({ state: 'done', limit: 10_000 })).toHaveLength(2000);
  }, 120_000); // as long as it lets the queue take: 27-30 s on a 2-core machine, over the suite's 30 s for one test
});
