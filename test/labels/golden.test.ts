import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demoWorkOrders, labelEngine } from '../helpers/labels.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
const golden = (id: string) => new URL(`./golden/${id}.zpl`, import.meta.url);

describe('golden ZPL', () => {
  it.each(['hose-tag', 'assembly-2x3', 'assembly-4x6', 'kit-label', 'work-order-label', 'designer-tag'])(
    '%s compiles to the reviewed ZPL (UPDATE_GOLDEN=1 rewrites after a deliberate change)',
    async (id) => {
      const wos = await demoWorkOrders(dir);
      const { engine } = labelEngine(dir);
      const subject = engine.templates.get(id).def.subject;
      const wo = wos.find((w) => w.lines.some((l) => (subject === 'kit' ? l.kit : l.assembly)))!;
      const line = wo.lines.find((l) => (subject === 'kit' ? l.kit : l.assembly))!;
      const data = { ...engine.previewData(wo, line.lineNumber, id), serial: 'BP260001234', date: '2026-11-26' };
      const zpl = new TextDecoder().decode((await engine.preview(id, data, 'zpl', 8)).bytes);
      if (process.env.UPDATE_GOLDEN || !existsSync(golden(id))) writeFileSync(golden(id), zpl);
      expect(zpl).toBe(readFileSync(golden(id), 'utf8'));
    },
  );
});
