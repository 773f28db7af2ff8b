import { beforeAll, describe, expect, it } from 'vitest';
import type { CachedWorkOrder } from '../../src/domain/work-order.js';
import { escposText, parseEscPos } from '../../src/printing/escpos.js';
import { documentService } from '../helpers/documents.js';
import { demoWorkOrders } from '../helpers/labels.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
let workOrders: CachedWorkOrder[];
beforeAll(async () => {
  workOrders = await demoWorkOrders(dir);
});

const commands = (bytes: Uint8Array) => parseEscPos(bytes).filter((t) => t.kind !== 'text').map((t) => (t.kind === 'command' ? t.name : 'qr'));

describe('traveler', () => {
  it('puts the work order on one strip: lines, quantities, crimp diameters, a QR code to scan it back, a cut', async () => {
    const wo = workOrders.find((w) => w.number === 'WO-24005')!;
    const { document } = await documentService().produce({ workOrder: wo, kind: 'traveler' });
    expect(document.format).toBe('escpos');
    const tokens = parseEscPos(document.bytes);
    expect(tokens[0]).toEqual({ kind: 'command', name: 'init', args: [] });
    expect(tokens.filter((t) => t.kind === 'qr')).toEqual([{ kind: 'qr', data: wo.number }]);
    expect(commands(document.bytes).filter((c) => c === 'cut')).toHaveLength(1);
    const text = escposText(document.bytes);
    expect(text).toContain(wo.number);
    expect(text).toContain(wo.customer!.name!);
    for (const line of wo.lines) {
      expect(text).toContain(`Line ${line.lineNumber}  x${line.quantity}  ${line.assembly!.partNumber}`);
      expect(text).toContain(`crimp ${line.assembly!.end1.crimp!.diameter!.value.toFixed(2)} +0.1/-0.2 mm`);
    }
  });

  it('prints Unicode from the code page and never lets data send a command', async () => {
    const clean = structuredClone(workOrders.find((w) => w.customer?.name?.includes('Müller'))!);
    const hostile = structuredClone(clean);
    hostile.customer!.name = `Müller\u001dV\u0000\u001b@\u001bd\u0009 GmbH`; // GS V (cut), ESC @ (reset), ESC d (feed)
    hostile.comments = '\u001b!\u0030 big \u001d(k boom';
    const a = await documentService().produce({ workOrder: clean, kind: 'traveler' });
    const b = await documentService().produce({ workOrder: hostile, kind: 'traveler' });
    expect(commands(b.document.bytes)).toEqual(commands(a.document.bytes));
    expect(escposText(a.document.bytes)).toContain('Hydraulik Müller GmbH');
    expect(escposText(b.document.bytes)).toContain('Müller V  @ d  GmbH');
  });
});
