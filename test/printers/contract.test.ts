// The contract every driver in printers/ passes, each against a real loopback device.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { loadPrinters } from '../../src/printing/registry.js';
import { PartialPrintError, type DocumentFormat, type RenderedDocument } from '../../src/printing/types.js';
import { startIppPrinter, type IppPrinterDouble } from '../doubles/ipp-printer.js';
import { closedPort, startTcpPrinter, type EscPosDouble, type ZebraDouble } from '../doubles/tcp-printer.js';
import { tempDir } from '../helpers/temp.js';
import { documentService } from '../helpers/documents.js';
import { demoWorkOrders } from '../helpers/labels.js';

const dir = tempDir();

interface Device {
  uri: string;
  received(): Buffer;
  close(): Promise<void>;
  /** Makes the device cut the connection after some bytes; absent where that cannot happen. */
  cutAfter?(bytes: number): void;
}

interface Case {
  driver: string;
  format: DocumentFormat;
  wrong: DocumentFormat;
  options?: Record<string, unknown>;
  start(): Promise<Device>;
  offlineUri(): Promise<string>;
  document(): Promise<RenderedDocument>;
}

const bigZpl = (labels: number): RenderedDocument => {
  const parts: string[] = [];
  const ends: number[] = [];
  let total = 0;
  for (let i = 1; i <= labels; i++) {
    const label = `^XA^CI28^FO20,20^A0N,30,30^FH_^FDlabel ${i} of ${labels} ${'x'.repeat(200)}^FS^XZ\n`;
    parts.push(label);
    total += Buffer.byteLength(label);
    ends.push(total);
  }
  return { format: 'zpl', bytes: Buffer.from(parts.join('')), meta: { name: 'job.zpl', contentType: 'application/vnd.zebra.zpl', partEnds: ends } };
};

const tcpDevice = async (kind: 'zpl' | 'escpos'): Promise<Device> => {
  const d: ZebraDouble | EscPosDouble = kind === 'zpl' ? await startTcpPrinter('zpl') : await startTcpPrinter('escpos');
  return { uri: d.uri, received: () => d.received(), close: () => d.close(), cutAfter: (n) => ((d.mode = 'cut'), (d.cutAfterBytes = n)) };
};

let traveler: RenderedDocument;
let datasheet: RenderedDocument;
beforeAll(async () => {
  const wos = await demoWorkOrders(dir);
  const docs = documentService();
  traveler = (await docs.produce({ workOrder: wos[0]!, kind: 'traveler' })).document;
  datasheet = (await docs.produce({ workOrder: wos[0]!, kind: 'datasheet' })).document;
});

const cases: Case[] = [
  { driver: 'zpl', format: 'zpl', wrong: 'pdf', options: { writeTimeoutMs: 1500 }, start: () => tcpDevice('zpl'), offlineUri: async () => `tcp://127.0.0.1:${await closedPort()}`, document: async () => bigZpl(40) },
  { driver: 'escpos', format: 'escpos', wrong: 'zpl', options: { writeTimeoutMs: 1500 }, start: () => tcpDevice('escpos'), offlineUri: async () => `tcp://127.0.0.1:${await closedPort()}`, document: async () => traveler },
  {
    driver: 'ipp',
    format: 'pdf',
    wrong: 'zpl',
    options: { pollMs: 100, requestTimeoutMs: 5000 },
    start: async () => {
      const p: IppPrinterDouble = await startIppPrinter();
      return { uri: p.uri, received: () => Buffer.concat(p.jobFiles()), close: () => p.close() };
    },
    offlineUri: async () => `ipp://127.0.0.1:${await closedPort()}/ipp/print`,
    document: async () => datasheet,
  },
  {
    driver: 'folder',
    format: 'file',
    wrong: 'zpl',
    options: { formats: ['file', 'pdf'] },
    start: async () => {
      const folder = join(dir, `hot-${Math.random().toString(36).slice(2)}`);
      mkdirSync(folder);
      return { uri: pathToFileURL(folder).href, received: () => Buffer.concat(readdirSync(folder).filter((f) => !f.startsWith('.')).map((f) => readFileSync(join(folder, f)))), close: async () => undefined };
    },
    offlineUri: async () => pathToFileURL(join(dir, 'no-such-share')).href,
    document: async () => ({ format: 'file', bytes: Buffer.from('PART;TEXT;QTY\r\nHA-1;Ø 24 ±0.2;3\r\n'), meta: { name: 'WO-1_marken.csv', contentType: 'text/csv' } }),
  },
];

describe.each(cases)('driver $driver', (c) => {
  let device: Device;
  beforeAll(async () => {
    device = await c.start();
  });
  afterAll(() => device.close());

  const registry = (uri: string) => loadPrinters([{ id: 'p', name: 'Bench printer', driver: c.driver, uri, options: c.options ?? {} }], silentLogger());

  it('delivers a document and the device receives exactly its bytes', async () => {
    const printers = await registry(device.uri);
    expect(printers.get('p').problem).toBeUndefined();
    const doc = await c.document();
    const result = await printers.print('p', doc, { signal: AbortSignal.timeout(20_000) });
    expect(result.bytesSent).toBe(doc.bytes.length);
    await expect.poll(() => device.received().length, { timeout: 5000 }).toBe(doc.bytes.length);
    expect(device.received().equals(Buffer.from(doc.bytes))).toBe(true);
    expect((await printers.refresh('p')).state).toBe('ready');
  });

  it('refuses a format it does not take before sending a byte', async () => {
    const printers = await registry(device.uri);
    const before = device.received().length;
    const doc: RenderedDocument = { format: c.wrong, bytes: Buffer.from('nope'), meta: { name: 'x', contentType: 'x' } };
    // Named as the kiosk shows it, with the id the API knows it by.
    await expect(printers.print('p', doc, { signal: AbortSignal.timeout(5000) })).rejects.toMatchObject({ code: 'FORMAT_NOT_ACCEPTED', status: 422, message: expect.stringMatching(/^Bench printer \(printer "p"\) takes /) });
    expect(device.received().length).toBe(before);
  });

  it('reports offline when nothing is there, and a print then fails as retryable with nothing sent', async () => {
    const printers = await registry(await c.offlineUri());
    expect((await printers.refresh('p')).state).toBe('offline');
    await expect(printers.print('p', await c.document(), { signal: AbortSignal.timeout(5000) })).rejects.toMatchObject({ code: 'PRINTER_UNAVAILABLE', retryable: true });
  });

  it('stopped before it sends anything (the station is stopping): nothing sent, and the job may simply be tried again', async () => {
    const printers = await registry(device.uri);
    const before = device.received().length;
    const stop = new AbortController();
    stop.abort(new Error('The station is stopping.'));
    await expect(printers.print('p', await c.document(), { signal: stop.signal })).rejects.toMatchObject({ retryable: true });
    expect(device.received().length).toBe(before);
  });

  it.skipIf(c.driver === 'folder')('reports a connection cut mid-job as partly sent, never as success', async () => {
    const doc = await c.document();
    const cutDevice = await c.start();
    try {
      if (cutDevice.cutAfter) cutDevice.cutAfter(Math.floor(doc.bytes.length / 2));
      const printers = await registry(cutDevice.cutAfter ? cutDevice.uri : await cuttingProxy(new URL(cutDevice.uri), Math.floor(doc.bytes.length / 2)));
      const err = await printers.print('p', doc, { signal: AbortSignal.timeout(20_000) }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PartialPrintError);
      expect((err as PartialPrintError).retryable).toBe(false);
      // Bytes handed to the network may still have been lost: the count is an upper bound, the job is never "done".
      expect((err as PartialPrintError).bytesSent).toBeLessThanOrEqual(doc.bytes.length);
      expect(cutDevice.received().length).toBeLessThan(doc.bytes.length);
    } finally {
      await cutDevice.close();
    }
  });
});

/** A TCP proxy in front of a real IPP printer that drops a connection once `limit` bytes of one request went through. */
async function cuttingProxy(printer: URL, limit: number): Promise<string> {
  const server = createServer((client) => {
    let seen = 0;
    const upstream = connect(Number(printer.port), '127.0.0.1');
    upstream.on('data', (chunk) => client.write(chunk));
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.end());
    client.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen >= limit) {
        upstream.write(chunk.subarray(0, chunk.length - (seen - limit)));
        client.destroy();
        upstream.destroy();
      } else upstream.write(chunk);
    });
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `ipp://127.0.0.1:${(server.address() as AddressInfo).port}${printer.pathname}`;
}
