// Templates made at the station over the API: versions with history, concurrent edits refused, rollback, copies of
// shipped ones, checks that name what is wrong, imports, drafts previewed, reprints drawn with the version that printed.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStation } from '../../src/station.js';
import { startZebraPrinter, type ZebraDouble } from '../doubles/zebra-printer.js';
import { decodeBarcodes } from '../helpers/barcodes.js';
import { asToken, demoStation } from '../helpers/station.js';
import { tempDir } from '../helpers/temp.js';

const ADMIN = 'admin-token-0123456789abcdefghijk';
const READER = 'reader-token-0123456789abcdefghij';
let station: RunningStation;
let zebra: ZebraDouble;
let admin: ReturnType<typeof asToken>;

beforeAll(async () => {
  zebra = await startZebraPrinter();
  station = await demoStation(tempDir(), (c) => {
    c.auth.tokens = [
      { name: 'office', token: ADMIN, scopes: ['read', 'print', 'admin'] },
      { name: 'viewer', token: READER, scopes: ['read'] },
    ];
    c.printers = [{ id: 'tags', driver: 'zpl', uri: zebra.uri, dpmm: 8, options: {} }];
  });
  await station.sync.syncOnce();
  admin = asToken(station.app, ADMIN);
});
afterAll(async () => {
  await station.stop();
  await zebra.close();
});

/** The glabels hose tag carrying a 3000-pixel image (over the limit) and using it. */
function hugeImageGlabels(doc: string): string {
  const big = PNG.sync.write(Object.assign(new PNG({ width: 3000, height: 20 }), { data: Buffer.alloc(3000 * 20 * 4, 0) })).toString('base64');
  return doc
    .replace('</Objects>', '<Object-image x="60mm" y="16mm" w="10mm" h="5mm" src="big.png" a0="1" a1="0" a2="0" a3="1" a4="0" a5="0"/></Objects>')
    .replace('</Glabels-document>', `<Data><File name="big.png" mimetype="image/png">${big}</File></Data></Glabels-document>`);
}

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const tag = (over: Record<string, unknown> = {}) => ({
  id: 'bench-tag',
  name: 'Bench tag',
  kind: 'layout',
  subject: 'assembly',
  size: { widthMm: 60, heightMm: 20 },
  elements: [
    { type: 'text', x: 2, y: 1, w: 40, h: 4, size: 3.5, weight: 'bold', text: '{{assembly.partNumber}}' },
    { type: 'barcode', symbology: 'datamatrix', x: 44, y: 1, w: 14, h: 14, data: '{{serial}}' },
    { type: 'text', x: 2, y: 6, w: 40, h: 3, size: 2.5, text: 'v1 {{of}}' },
  ],
  ...over,
});

describe('templates made at the station', () => {
  it('are made, listed, and kept in versions with who, when and what changed; only admins change them', async () => {
    expect((await asToken(station.app, READER)('/api/v1/templates', json({ template: tag() }))).status).toBe(403);
    const made = await admin('/api/v1/templates', json({ template: tag(), note: 'first cut' }));
    expect(made.status).toBe(201);
    expect(await made.json()).toEqual({ id: 'bench-tag', version: 1 });
    const list = (await (await admin('/api/v1/templates')).json()) as { items: Array<{ id: string; source: string; version: number }> };
    expect(list.items.find((t) => t.id === 'bench-tag')).toMatchObject({ source: 'stored', version: 1 });
    expect(list.items.find((t) => t.id === 'hose-tag')).toMatchObject({ source: 'shipped' });
    const two = await admin('/api/v1/templates/bench-tag/versions', json({ base: 1, template: tag({ elements: [...tag().elements.slice(0, 2), { type: 'text', x: 2, y: 6, w: 40, h: 3, size: 2.5, text: 'v2 {{of}}' }] }), note: 'says v2' }));
    expect(two.status).toBe(201);
    const got = (await (await admin('/api/v1/templates/bench-tag')).json()) as { template: { version: number }; versions: Array<{ version: number; author: string; note: string; active: boolean }> };
    expect(got.template.version).toBe(2);
    expect(got.versions.map((v) => [v.version, v.author, v.note, v.active])).toEqual([
      [2, 'office', 'says v2', true],
      [1, 'office', 'first cut', false],
    ]);
  });

  it('refuses the second of two edits made from the same version, saying who saved first; nothing is lost', async () => {
    const base = { base: 2, template: tag({ name: 'edit A' }) };
    expect((await admin('/api/v1/templates/bench-tag/versions', json(base))).status).toBe(201);
    const late = await admin('/api/v1/templates/bench-tag/versions', json({ ...base, template: tag({ name: 'edit B' }) }));
    expect(late.status).toBe(409);
    expect(((await late.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'TEMPLATE_CHANGED', message: expect.stringMatching(/changed by office at .* \(version 3\) since you opened version 2\. Nothing was saved\./) });
    const after = (await (await admin('/api/v1/templates/bench-tag')).json()) as { template: { name: string }; versions: unknown[] };
    expect(after.template.name).toBe('edit A');
    expect(after.versions).toHaveLength(3);
  });

  it('rolls back to an earlier version; jobs record the version they printed with, and a reprint draws with that one', async () => {
    expect((await admin('/api/v1/templates/bench-tag/activate', json({ version: 2 }))).status).toBe(200);
    const made = await admin('/api/v1/workorders/WO-24005/lines/10/labels', json({ template: 'bench-tag', quantity: 2 }));
    expect(await made.text()).toContain('^FDv2 1 of 2^FS');
    const batch = made.headers.get('x-serial-batch')!;
    expect((await admin('/api/v1/templates/bench-tag/activate', json({ version: 1 }))).status).toBe(200);
    const now = await admin('/api/v1/workorders/WO-24005/lines/10/labels', json({ template: 'bench-tag', quantity: 1 }));
    expect(await now.text()).toContain('^FDv1 1 of 1^FS');
    const again = await admin('/api/v1/workorders/WO-24005/lines/10/labels', json({ template: 'bench-tag', reprint: { batchId: batch, from: 2, to: 2 } }));
    expect(await again.text()).toContain('^FDv2 2 of 2^FS');
    const job = (await (await admin('/api/v1/jobs', json({ kind: 'labels', printer: 'tags', workOrder: 'WO-24005', line: 10, template: 'bench-tag', quantity: 1 }))).json()) as { templateVersion: number };
    expect(job.templateVersion).toBe(1);
  });

  it('keeps shipped templates as they came: changing one is refused, a copy can be changed', async () => {
    const change = await admin('/api/v1/templates/hose-tag/versions', json({ base: 1, template: tag({ id: 'hose-tag' }) }));
    expect(change.status).toBe(409);
    expect(((await change.json()) as { error: { message: string; code: string } }).error).toMatchObject({ code: 'TEMPLATE_READ_ONLY', message: expect.stringMatching(/Copy it to a new id/) });
    const copy = await admin('/api/v1/templates/hose-tag/copy', json({ id: 'our-hose-tag' }));
    expect(copy.status).toBe(201);
    const copied = (await (await admin('/api/v1/templates/our-hose-tag')).json()) as { template: { name: string; elements: unknown[] }; versions: Array<{ note: string }> };
    expect(copied.template.name).toBe('Hose tag 76 x 25 mm (copy)');
    expect(copied.versions[0]!.note).toBe('copied from hose-tag v1');
    const designer = await admin('/api/v1/templates/designer-tag/copy', json({ id: 'our-designer-tag' }));
    expect(designer.status).toBe(201);
    expect(((await (await admin('/api/v1/templates/our-designer-tag')).json()) as { template: { zpl: string } }).template.zpl).toMatch(/^\^XA/);
    const exported = await admin('/api/v1/templates/our-hose-tag/export');
    expect(exported.headers.get('content-disposition')).toMatch(/our-hose-tag-v1\.json/);
    expect(JSON.parse(await exported.text())).toMatchObject({ id: 'our-hose-tag', kind: 'layout' });
  });

  it('names the element and property at fault, and saves nothing', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [tag({ id: 'typo', elements: [{ type: 'text', x: 2, y: 1, w: 40, h: 4, size: 3, text: '{{assembly.custPN}}' }] }), /elements\[0\] \(text\)\.text: \{\{assembly\.custPN\}\} is not a field of any work-order line here \(did you mean assembly\.customerPartNumber\?\)/],
      [tag({ id: 'shape', elements: [{ type: 'barcode', symbology: 'pdf417', x: 2, y: 1, w: 40, h: 4, data: 'x' }] }), /elements\[0\] \(barcode\)\.symbology: /],
      [tag({ id: 'outside', elements: [{ type: 'box', x: 50, y: 1, w: 40, h: 4 }] }), /elements\[0\] \(box\) reaches past the 60x20 mm label/],
      [tag({ id: 'noimage', elements: [{ type: 'image', x: 2, y: 1, w: 10, h: 4, src: 'nowhere.png' }] }), /elements\[0\] \(image\)\.src: The image nowhere\.png cannot be read/],
      [tag({ id: 'toosmall', elements: [{ type: 'barcode', symbology: 'code128', x: 2, y: 1, w: 5, h: 4, data: '{{serial}}' }] }), /needs more room than its 5x4 mm box/],
      [tag({ id: 'font', elements: [{ type: 'text', x: 2, y: 1, w: 40, h: 4, size: 3, text: 'x', font: 'Arial Black' }] }), /elements\[0\] \(text\).*font/],
    ];
    for (const [template, message] of cases) {
      const res = await admin('/api/v1/templates', json({ template }));
      expect(res.status, String(template.id)).toBe(422);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
      expect((await admin(`/api/v1/templates/${String(template.id)}`)).status).toBe(404);
    }
  });

  it('takes a PNG within its limits, and refuses a huge or broken one without keeping it', async () => {
    const png = (w: number, h: number) => PNG.sync.write(Object.assign(new PNG({ width: w, height: h }), { data: Buffer.alloc(w * h * 4, 0) }));
    expect((await admin('/api/v1/templates/images', json({ name: 'mark.png', png: png(40, 20).toString('base64') }))).status).toBe(201);
    const huge = await admin('/api/v1/templates/images', json({ name: 'huge.png', png: png(3000, 10).toString('base64') }));
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { message: string } }).error.message).toMatch(/3000x10 pixels; at most 2400 a side/);
    const heavy = await admin('/api/v1/templates/images', json({ name: 'heavy.png', png: Buffer.alloc(1_200_000, 7).toString('base64') }));
    expect(heavy.status).toBe(413);
    expect((await admin('/api/v1/templates/images', json({ name: 'junk.png', png: Buffer.from('not a png').toString('base64') }))).status).toBe(422);
    // A small file that claims a vast picture is refused from its header, before anything is unpacked.
    const bomb = png(10, 10);
    bomb.writeUInt32BE(100_000, 16);
    bomb.writeUInt32BE(100_000, 20);
    const claimed = await admin('/api/v1/templates/images', json({ name: 'bomb.png', png: bomb.toString('base64') }));
    expect(claimed.status).toBe(413);
    expect(((await claimed.json()) as { error: { message: string } }).error.message).toMatch(/100000x100000 pixels/);
    // A name means one picture for good: a different one under it is refused (old labels reprint with the old one).
    const again = await admin('/api/v1/templates/images', json({ name: 'mark.png', png: png(41, 20).toString('base64') }));
    expect(again.status).toBe(409);
    expect((await admin('/api/v1/templates/images', json({ name: 'mark.png', png: png(40, 20).toString('base64') }))).status).toBe(201);
    const names = ((await (await admin('/api/v1/templates/images')).json()) as { items: Array<{ name: string }> }).items.map((i) => i.name);
    expect(names).toEqual(['mark.png']);
    expect((await admin('/api/v1/templates', json({ template: tag({ id: 'with-mark', elements: [...tag().elements, { type: 'image', x: 2, y: 10, w: 10, h: 5, src: 'mark.png' }] }) }))).status).toBe(201);
  });

  it('previews a draft as it will print, without saving it, refreshed from any edit', async () => {
    const res = await admin('/api/v1/templates/preview', json({ template: tag({ id: 'draft' }), workOrder: 'WO-24005', line: 10 }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect((await decodeBarcodes(new Uint8Array(await res.arrayBuffer()))).map((d) => d.format)).toContain('DataMatrix');
    expect((await admin('/api/v1/templates/draft')).status).toBe(404);
    const bad = await admin('/api/v1/templates/preview', json({ template: { ...tag(), elements: [] } }));
    expect(bad.status).toBe(422);
  });

  it('imports a glabels document and a ZebraDesigner ZPL file, saying what was not carried over; a broken file saves nothing', async () => {
    const glabels = readFileSync(new URL('../../bench/glabels/hose-tag.glabels', import.meta.url));
    const converted = (await (await admin('/api/v1/templates/import', json({ fileName: 'hose-tag.glabels', content: glabels.toString('utf8'), id: 'gl-hose-tag' }))).json()) as { template: { elements: Array<{ type: string }>; fields: string[] }; report: string[] };
    expect(converted.template.elements.map((e) => e.type)).toEqual(['barcode', 'text', 'text', 'line', 'text', 'text', 'text', 'text', 'text', 'text', 'barcode']);
    expect(converted.template.fields).toEqual(expect.arrayContaining(['code2d', 'of', 'shop', 'pn', 'cpn', 'serial']));
    expect(converted.report.join('\n')).toMatch(/Merge fields .* are read from the data printed with/);
    expect((await admin('/api/v1/templates/gl-hose-tag')).status).toBe(404); // converted, not saved
    const saved = await admin('/api/v1/templates/import', json({ fileName: 'hose-tag.glabels', content: glabels.toString('base64'), encoding: 'base64', id: 'gl-hose-tag', save: true }));
    expect(saved.status).toBe(201);

    const designer = ['CT~~CD,~CC^~CT~', '^XA~TA000~JSN^LT0^MNW^MTT^PON^PMN^LH0,0^JMA^PR4,4~SD15^JUS^LRN^CI27^XZ', '^XA', '^MMT^PW609^LL203^LS0', '^FT20,50^A0N,28,28^FH\\^CI28^FDCustomer:^FS^CI27', '^FT160,50^A0N,28,28^FN1"Customer name"^FH\\^CI28^FDACME^FS^CI27', '^FT20,120^BY2^BCN,50,N,N^FN2"Serial"^FDBP1^FS', '^PQ3,0,1,Y^XZ'].join('\n');
    const zplRes = await admin('/api/v1/templates/import', json({ fileName: 'tag.prn', content: designer, id: 'zd-tag', save: true }));
    const zplBody = await zplRes.json();
    expect(zplRes.status, JSON.stringify(zplBody)).toBe(201);
    const zpl = zplBody as { template: { fields: string[]; zpl: string; size: { widthMm: number } }; report: string[] };
    expect(zpl.template.fields).toEqual(['customerName', 'serial']);
    expect(zpl.template.size.widthMm).toBe(76.1);
    expect(zpl.template.zpl).not.toMatch(/~SD|\^JUS|\^PQ3/);
    expect(zpl.report.join('\n')).toMatch(/printer settings .* are not kept/);
    expect(zpl.report.join('\n')).toMatch(/\^PQ asked for several copies/);
    const printed = await admin('/api/v1/jobs', json({ kind: 'template', printer: 'tags', template: 'zd-tag', labels: [{ customerName: 'Müller^XZ', serial: 'BP260000077' }] }));
    expect(printed.status).toBe(201);
    await station.queue.runUntilIdle();
    const out = zebra.printed.at(-1)!;
    expect(out).toContain('^FDMüller\\5EXZ^FS');
    expect(out).toContain('^FDBP260000077^FS');

    for (const [fileName, content] of [
      ['broken.glabels', '<Glabels-document><Template'],
      ['nothing.glabels', '<?xml version="1.0"?><Glabels-document xmlns="http://glabels.org/xmlns/3.0/"/>'],
      ['settings.zpl', '^XA~SD15^PR4^XZ'],
      ['label.docx', 'PK...'],
      ['entities.glabels', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><Glabels-document>&b;</Glabels-document>'],
      ['huge-image.glabels', hugeImageGlabels(glabels.toString('utf8'))],
    ]) {
      const res = await admin('/api/v1/templates/import', json({ fileName, content, id: 'never', save: true }));
      const huge = fileName === 'huge-image.glabels';
      expect(res.status, fileName).toBe(huge ? 413 : 422);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(huge ? 'IMAGE_TOO_LARGE' : 'IMPORT_FAILED');
    }
    expect((await admin('/api/v1/templates/never')).status).toBe(404);
    expect(((await (await admin('/api/v1/templates/images')).json()) as { items: Array<{ name: string }> }).items.map((i) => i.name)).not.toContain('big.png');
    // A compressed file that unpacks to far more than any label document.
    const bomb = gzipSync(Buffer.alloc(60_000_000, 32));
    const res = await admin('/api/v1/templates/import', json({ fileName: 'bomb.glabels', content: bomb.toString('base64'), encoding: 'base64', id: 'never', save: true }));
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/unpacks to more than 20 MB/);
  });

  it('prints a test label of a template, or of a draft, marked as a test in history', async () => {
    const res = await admin('/api/v1/jobs', json({ kind: 'template-test', printer: 'tags', template: tag({ id: 'draft-tag', name: 'Draft tag' }), workOrder: 'WO-24005', line: 10 }));
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ kind: 'test', title: 'Test of template Draft tag (as open in the designer)' });
    await station.queue.runUntilIdle();
    expect(zebra.printed.at(-1)).toContain('PREVIEW');
  });
});
