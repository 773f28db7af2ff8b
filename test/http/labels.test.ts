import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { decodeBarcodes } from '../helpers/barcodes.js';
import { asKiosk, demoStation, FROM_LAN } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
let station: RunningStation;
beforeAll(async () => {
  station = await demoStation(dir);
  await station.sync.syncOnce();
});
afterAll(() => station.stop());

/** As the kiosk on the bench PC, or (env FROM_LAN) from another PC without a token. */
const req = async (path: string, init: RequestInit = {}, env?: object) => (env ? station.app.request(path, init, env) : (await asKiosk(station.app))(path, init));
const post = (path: string, body: unknown, env?: object) => req(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }, env);

describe('label routes', () => {
  it('lists the templates with their versions', async () => {
    const body = (await (await req('/api/v1/templates')).json()) as { items: Array<{ id: string; version: number }>; problems: unknown[] };
    expect(body.items.map((t) => t.id)).toContain('hose-tag');
    expect(body.problems).toEqual([]);
  });

  it('previews a line as a PNG that scans, without using up a serial', async () => {
    const res = await req('/api/v1/templates/hose-tag/preview?workOrder=WO-24005&line=10&format=png&dpmm=12');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const codes = await decodeBarcodes(new Uint8Array(await res.arrayBuffer()));
    expect(codes.find((c) => c.format === 'Code128')?.text).toBe('BPPREVIEW');
    expect((await req('/api/v1/serials/BPPREVIEW')).status).toBe(404);
  });

  it('makes the labels of a line with new serials, and finds a tag again by its serial', async () => {
    const res = await post('/api/v1/workorders/WO-24005/lines/10/labels', { template: 'hose-tag', quantity: 3 });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-label-count')).toBe('3');
    const serials = res.headers.get('x-serials')!.split(',');
    expect(serials).toHaveLength(3);
    const zpl = await res.text();
    expect(zpl.match(/\^XA/g)).toHaveLength(3);
    const found = (await (await req(`/api/v1/serials/${serials[1]}`)).json()) as { workOrderNumber: string; lineNumber: number; index: number; count: number };
    expect(found).toMatchObject({ workOrderNumber: 'WO-24005', lineNumber: 10, index: 2, count: 3 });
  });

  it('lists every bad field of a bad request, and needs a print token from the LAN', async () => {
    const bad = await post('/api/v1/workorders/WO-24005/lines/10/labels', { template: '', format: 'bmp', dpmm: 9, extra: 1 });
    expect(bad.status).toBe(422);
    const body = (await bad.json()) as { error: { code: string; details: { fields: Array<{ field: string }> } } };
    expect(body.error.code).toBe('INVALID_REQUEST');
    expect(body.error.details.fields.map((f) => f.field).sort()).toEqual(['(top level)', 'dpmm', 'format', 'template']);
    const notJson = await req('/api/v1/workorders/WO-24005/lines/10/labels', { method: 'POST', body: '{oops', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    expect((await post('/api/v1/workorders/WO-24005/lines/10/labels', { template: 'hose-tag' }, FROM_LAN)).status).toBe(401);
    expect((await post('/api/v1/workorders/WO-24005/lines/99/labels', { template: 'hose-tag' })).status).toBe(404);
    expect((await post('/api/v1/workorders/WO-24005/lines/10/labels', { template: 'nope' })).status).toBe(404);
  });

  it('shows a tag preview on the kiosk work-order page', async () => {
    const html = await (await req('/kiosk/wo/WO-24005')).text();
    expect(html).toContain('/api/v1/templates/hose-tag/preview?workOrder=WO-24005&line=10&format=png');
  });
});
