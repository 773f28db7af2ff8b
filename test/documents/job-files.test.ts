import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CachedWorkOrder } from '../../src/domain/work-order.js';
import { buildSandboxData } from '../../src/sandbox/data.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server.js';
import { documentService } from '../helpers/documents.js';
import { sandboxClient } from '../helpers/goldleaf.js';
import { syncOver } from '../helpers/sync.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
let sandbox: RunningSandbox;
let workOrders: CachedWorkOrder[];
beforeAll(async () => {
  sandbox = await startSandbox({ data: buildSandboxData(new Date('2026-11-26T00:00:00Z')) });
  const { sync, cache } = syncOver(sandbox, dir);
  await sync.syncOnce();
  workOrders = cache.list().map((s) => cache.get(s.id)!);
});
afterAll(() => sandbox.close());

async function direct(path: string): Promise<{ bytes: Buffer; type: string | null; disposition: string | null }> {
  const token = (await (await fetch(sandbox.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiKey: 'sandbox-demo-key-0000000000', name: 'benchprint-sandbox', grantType: 'client_credentials' }) })).json()) as { securityToken: string };
  const res = await fetch(`${sandbox.baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token.securityToken}` } });
  return { bytes: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition') };
}

describe('Marken and Parker PTS files', () => {
  it('come from GoldLeaf byte for byte, with the server name and type, per work order and per line', async () => {
    const { client } = sandboxClient(sandbox);
    const docs = documentService(client);
    const wo = workOrders[0]!;
    const marken = await docs.produce({ workOrder: wo, kind: 'marken' });
    const served = await direct(`/workorder/${wo.id}/getmarkenfile`);
    expect(marken.origin).toBe('goldleaf');
    expect(Buffer.from(marken.document.bytes).equals(served.bytes)).toBe(true);
    expect(marken.document.meta).toMatchObject({ name: `${wo.number}_marken.csv`, contentType: 'text/csv', origin: 'GoldLeaf' });
    const line = wo.lines.find((l) => l.assembly)!;
    const pts = await docs.produce({ workOrder: wo, kind: 'pts', lineNumber: line.lineNumber });
    const servedPts = await direct(`/hoseassembly/${line.assembly!.id}/getparkerptsfile`);
    expect(Buffer.from(pts.document.bytes).equals(servedPts.bytes)).toBe(true);
    expect(pts.document.meta.name).toBe(`${line.assembly!.partNumber}.pts`);
    const sheet = await docs.produce({ workOrder: wo, kind: 'datasheet', source: 'goldleaf' });
    expect(sheet.origin).toBe('goldleaf');
    expect(Buffer.from(sheet.document.bytes).equals((await direct(`/workorder/${wo.id}/getWorkOrderDataSheet`)).bytes)).toBe(true);
  });

  it('are made from the local column layout when GoldLeaf is down, and say so in the name and the file', async () => {
    const { client } = sandboxClient(sandbox, { maxRetries: 0 });
    sandbox.state.faults.add({ kind: 'status', status: 503 });
    try {
      const wo = workOrders.find((w) => w.lines.length > 2)!;
      const marken = await documentService(client).produce({ workOrder: wo, kind: 'marken' });
      expect(marken.origin).toBe('local');
      expect(marken.fallbackReason).toMatch(/^GoldLeaf could not provide it: GoldLeaf could not issue a security token \(503\)/);
      expect(marken.document.meta.name).toBe(`${wo.number}_marken_local.csv`);
      const rows = new TextDecoder().decode(marken.document.bytes).split('\r\n');
      expect(rows[0]).toMatch(/^# made by benchprint from the local layout "marken" v1, not by GoldLeaf/);
      expect(rows[1]).toBe('PART;TEXT;QTY');
      expect(rows.slice(2, -1)).toEqual(wo.lines.map((l) => `${l.assembly!.partNumber};${l.assembly!.printText};${l.quantity}`));
      const pts = await documentService(client).produce({ workOrder: wo, kind: 'pts' });
      const lines = new TextDecoder().decode(pts.document.bytes).split('\r\n').filter(Boolean);
      expect(lines).toHaveLength(wo.lines.length);
      expect(new Set(lines.map((l) => l.length))).toEqual(new Set([20 + 20 + 12 + 16 + 16 + 6 + 14]));
      const sheet = await documentService(client).produce({ workOrder: wo, kind: 'datasheet', source: 'goldleaf' });
      expect(sheet.origin).toBe('local');
      expect(sheet.document.meta.name).toMatch(/-local\.pdf$/);
    } finally {
      sandbox.state.faults.clear();
    }
  });

  it('keep hostile data inside its cell', async () => {
    const wo = structuredClone(workOrders[0]!);
    wo.lines[0]!.assembly!.printText = 'a;b\r\nINJECTED;ROW;1\u0000';
    const marken = await documentService().produce({ workOrder: wo, kind: 'marken', source: 'local' });
    const rows = new TextDecoder().decode(marken.document.bytes).split('\r\n').filter(Boolean);
    expect(rows).toHaveLength(2 + wo.lines.length);
    expect(rows[2]).toBe(`${wo.lines[0]!.assembly!.partNumber};"a;b  INJECTED;ROW;1 ";${wo.lines[0]!.quantity}`);
  });
});
