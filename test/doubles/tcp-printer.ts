// Loopback raw-TCP printers for tests: a Zebra (ZPL) or an ESC/POS receipt printer, and a port where nothing listens.
import { createServer, type AddressInfo } from 'node:net';
import { startEscPosPrinter, type EscPosDouble } from './escpos-printer.js';
import { startZebraPrinter, type ZebraDouble } from './zebra-printer.js';

export type { EscPosDouble } from './escpos-printer.js';
export type { ZebraDouble } from './zebra-printer.js';
export type TcpPrinterDouble = ZebraDouble;

export function startTcpPrinter(kind: 'zpl', port?: number): Promise<ZebraDouble>;
export function startTcpPrinter(kind: 'escpos', port?: number): Promise<EscPosDouble>;
export function startTcpPrinter(kind: 'zpl' | 'escpos', port = 0): Promise<ZebraDouble | EscPosDouble> {
  return kind === 'zpl' ? startZebraPrinter(port) : startEscPosPrinter(port);
}

/** A port on loopback where nothing listens. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
