import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { decodeBarcodes } from '../helpers/barcodes.js';
import { asKiosk, demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
let station: RunningStation;
beforeAll(async () => {
  station = await demoStation(dir, (c) => {
    c.goldleaf.maxRetries = 0;
  });
  await station.sync.syncOnce();
});
afterAll(() => station.stop());

const get = async (path: string) => (await asKiosk(station.app))(path);

describe('document routes', () => {
  it('downloads a work-order datasheet and previews its first page as a PNG that scans', async () => {
    const pdf = await get('/api/v1/workorders/WO-24005/documents/datasheet');
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toContain('WO-24005-datasheet.pdf');
    expect(pdf.headers.get('x-template')).toBe('workorder-datasheet v1');
    const png = await get('/api/v1/workorders/WO-24005/documents/datasheet?as=png');
    expect(png.headers.get('content-type')).toBe('image/png');
    const codes = await decodeBarcodes(new Uint8Array(await png.arrayBuffer()));
    expect(codes.map((c) => c.text)).toContain('WO-24005');
  });

  it('serves the Marken file from GoldLeaf, and from the local layout during an outage', async () => {
    const fromGoldleaf = await get('/api/v1/workorders/WO-24005/documents/marken');
    expect(fromGoldleaf.headers.get('x-document-origin')).toBe('goldleaf');
    expect(fromGoldleaf.headers.get('content-disposition')).toContain('WO-24005_marken.csv');
    station.sandbox!.state.faults.add({ kind: 'drop' });
    try {
      const local = await get('/api/v1/workorders/WO-24005/documents/marken');
      expect(local.status).toBe(200);
      expect(local.headers.get('x-document-origin')).toBe('local');
      expect(decodeURIComponent(local.headers.get('x-document-fallback')!)).toMatch(/could not be reached/);
      expect(await local.text()).toMatch(/^# made by benchprint from the local layout/);
    } finally {
      station.sandbox!.state.faults.clear();
    }
  });

  it('shows a traveler as text, and explains bad requests', async () => {
    const text = await get('/api/v1/workorders/WO-24005/documents/traveler?as=png');
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await text.text()).toContain('[QR WO-24005]');
    const bad = await get('/api/v1/workorders/WO-24005/documents/brochure');
    expect(bad.status).toBe(422);
    expect((await get('/api/v1/workorders/WO-24005/documents/assembly-datasheet')).status).toBe(422);
    expect((await get('/api/v1/workorders/WO-24005/documents/assembly-datasheet?line=10&as=png')).status).toBe(200);
  });
});

describe("GoldLeaf's own labels", () => {
  it('come from GoldLeaf for a line at the size asked, or from the station when GoldLeaf is down, saying so', async () => {
    const res = await get('/api/v1/workorders/WO-24005/documents/goldleaf-labels?line=10&labelSize=4x6');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-document-origin')).toBe('goldleaf');
    const pdf = new Uint8Array(await res.arrayBuffer());
    expect(new TextDecoder().decode(pdf)).toContain('/MediaBox [0 0 288 432]');
    station.sandbox!.state.faults.add({ kind: 'status', status: 503 });
    try {
      const local = await get('/api/v1/workorders/WO-24005/documents/goldleaf-labels?line=10');
      expect(local.status).toBe(200);
      expect(local.headers.get('x-document-origin')).toBe('local');
      expect(local.headers.get('x-template')).toBe('assembly-2x3 v1');
      expect(local.headers.get('content-disposition')).toMatch(/-local\.pdf/);
    } finally {
      station.sandbox!.state.faults.clear();
    }
  });
});
