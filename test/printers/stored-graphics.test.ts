// A logo goes to the printer once per delivery (~DG) and each label recalls it (^XG): what the printer gets, what it
// prints, and that a resume or a reprint never finds the printer without it.
import { connect } from 'node:net';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { loadPrinters } from '../../src/printing/registry.js';
import type { RunningStation } from '../../src/station.js';
import type { CachedWorkOrder } from '../../src/domain/work-order.js';
import { startZebraPrinter, type ZebraDouble } from '../doubles/zebra-printer.js';
import { renderZpl } from '../helpers/barcodes.js';
import { demoWorkOrders, labelEngine } from '../helpers/labels.js';
import { asToken, demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
let wos: CachedWorkOrder[];
beforeAll(async () => {
  wos = await demoWorkOrders(dir);
});

/** The logo's place on the 4x6 label (4, 4 mm; 30 x 9 mm) at 8 dots/mm, as dark/light per dot. */
function logoDots(png: Uint8Array): string {
  const img = PNG.sync.read(Buffer.from(png));
  let bits = '';
  for (let y = 32; y < 32 + 72; y++) for (let x = 32; x < 32 + 240; x++) bits += img.data[(y * img.width + x) * 4]! < 128 ? '1' : '0';
  return bits;
}

async function assemblyLabels(quantity: number) {
  const { engine, store } = labelEngine(dir);
  const wo = wos.find((w) => w.lines.some((l) => l.assembly))!;
  const line = wo.lines.find((l) => l.assembly)!;
  const job = await engine.lineLabels({ workOrder: wo, lineNumber: line.lineNumber, templateId: 'assembly-4x6', format: 'zpl', dpmm: 8, quantity });
  const alone = new TextDecoder().decode((await engine.preview('assembly-4x6', job.labels[0], 'zpl', 8)).bytes);
  store.close();
  return { document: job.document, alone };
}

describe('a logo stored in the printer once per job', () => {
  it('is stored once before the labels, each label recalls it, and every label prints it as the label alone would', async () => {
    const { document, alone } = await assemblyLabels(6);
    const text = Buffer.from(document.bytes).toString('latin1');
    expect(document.meta.prefix).toBeGreaterThan(0);
    expect(text.slice(0, document.meta.prefix).match(/~DG/g)).toHaveLength(1);
    const name = /~DG(R:BP[0-9A-F]{6}\.GRF),/.exec(text)![1]!;
    const labels = text.slice(document.meta.prefix).split('^XZ\n').filter(Boolean);
    expect(labels).toHaveLength(6);
    for (const label of labels) {
      expect(label).toContain(`^XG${name},1,1^FS`);
      expect(label).not.toContain('^GFA');
    }
    // On the wire: the logo's dots once, not once per label.
    const logoHex = /\^GFA,\d+,\d+,\d+,([0-9A-F]+)\^FS/.exec(alone)![1]!;
    expect(text.split(logoHex).length - 1).toBe(1);
    // Each label is the label alone without the logo's dots, with a recall of a few dozen bytes instead.
    for (const label of labels) expect(Buffer.byteLength(label) + 4).toBeLessThan(Buffer.byteLength(alone) - logoHex.length + 48);

    const printed = await renderZpl(text, 101.6, 152.4, 8);
    const reference = logoDots((await renderZpl(alone, 101.6, 152.4, 8))[0]!);
    expect(reference).toContain('1');
    expect(printed).toHaveLength(6);
    for (const png of printed) expect(logoDots(png)).toBe(reference);
  });

  it('sends it again before the labels of a resume, as the printer may have been switched off meanwhile', async () => {
    const zebra: ZebraDouble = await startZebraPrinter();
    try {
      const printers = await loadPrinters([{ id: 'z', driver: 'zpl', uri: zebra.uri, options: { statusTimeoutMs: 500, writeTimeoutMs: 1500, pollMs: 20 } }], silentLogger());
      const { document } = await assemblyLabels(10);
      await printers.print('z', document, { signal: AbortSignal.timeout(10_000), startPart: 0 });
      await expect.poll(() => zebra.labels()).toBe(10);
      expect(zebra.graphics.size).toBe(1);
      // As a Zebra does, the double's ~HS counts the graphics it holds (the last field of its second string).
      expect(await storedGraphics(zebra)).toBe(1);
      // Switched off and on: its memory is empty. Labels 7 to 10 again, as a resume sends them.
      zebra.graphics.clear();
      expect(await storedGraphics(zebra)).toBe(0);
      const result = await printers.print('z', document, { signal: AbortSignal.timeout(10_000), startPart: 6 });
      expect(result).toMatchObject({ confirmed: true, partsConfirmed: 10 });
      await expect.poll(() => zebra.labels()).toBe(14);
      expect(zebra.graphics.size).toBe(1);
      expect(zebra.printedWithoutGraphic).toEqual([]);
      expect(zebra.printed.slice(10).map((f) => /(\d+) of 10/.exec(f)?.[1])).toEqual(['7', '8', '9', '10']);
      await printers.close();
    } finally {
      await zebra.close();
    }
  });
});

describe('a reprint of labels that recall a logo', () => {
  let zebra: ZebraDouble;
  let station: RunningStation;
  beforeAll(async () => {
    zebra = await startZebraPrinter();
    station = await demoStation(tempDir(), (c) => {
      c.auth.tokens = [{ name: 'office', token: 'office-token-0123456789', scopes: ['read', 'print'] }];
      c.printers = [{ id: 'big', driver: 'zpl', uri: zebra.uri, dpmm: 8, options: { pollMs: 20 } }];
    });
    await station.sync.syncOnce();
  });
  afterAll(async () => {
    await station.stop();
    await zebra.close();
  });

  it('carries the logo with the labels it prints again', async () => {
    const office = asToken(station.app, 'office-token-0123456789');
    const wo = wos.find((w) => w.lines.some((l) => l.assembly))!;
    const line = wo.lines.find((l) => l.assembly)!;
    const res = await office('/api/v1/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'labels', printer: 'big', workOrder: wo.number, line: line.lineNumber, template: 'assembly-4x6', quantity: 5 }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    await station.queue.runUntilIdle();
    expect(station.queue.get(id).state).toBe('done');
    zebra.graphics.clear();
    const again = await station.queue.reprint(id, 2, 3, 'test');
    await station.queue.runUntilIdle();
    expect(station.queue.get(again.id).state).toBe('done');
    await expect.poll(() => zebra.labels()).toBe(7);
    expect(zebra.printedWithoutGraphic).toEqual([]);
    expect(zebra.printed.slice(5).map((f) => /(\d+) of 5/.exec(f)?.[1])).toEqual(['2', '3']);
  });
});

/** The number of stored graphics a printer's ~HS answer gives, asked on a connection of its own. */
async function storedGraphics(zebra: ZebraDouble): Promise<number> {
  const socket = connect(Number(new URL(zebra.uri).port), '127.0.0.1');
  try {
    socket.write('~HS\r\n');
    let text = '';
    for await (const chunk of socket) {
      text += String(chunk);
      if ((text.match(/\x03/g) ?? []).length >= 3) break;
    }
    const two = text.split('\x02')[2]!.split('\x03')[0]!.split(',');
    return Number(two[10]);
  } finally {
    socket.destroy();
  }
}
