// Flowing page layout for datasheets: header on every page, paragraphs, key/value blocks, tables that continue cleanly.
import type { LabelFont, Weight } from '../labels/fonts.js';
import { encodeBarcode } from '../labels/barcodes.js';
import { printableText, wrap } from '../labels/layout.js';
import type { Symbology } from '../labels/template-schema.js';
import { PdfDocument, type PdfPage } from '../pdf/canvas.js';
import type { Column } from './template-schema.js';

export const PAGE_MM = { A4: [210, 297], Letter: [215.9, 279.4] } as const;
const LINE = 1.25;

export interface FlowOptions {
  size: keyof typeof PAGE_MM;
  marginMm: number;
  /** Draws the running header on each new page and returns its height in mm. */
  header: (page: PdfPage, flow: Flow) => Promise<number>;
  /** Text of the footer (page numbers are added). */
  footer: string;
}

export class Flow {
  page!: PdfPage;
  y = 0;
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  private readonly bottom: number;

  private constructor(
    readonly doc: PdfDocument,
    private readonly o: FlowOptions,
  ) {
    [this.width, this.height] = PAGE_MM[o.size];
    this.left = o.marginMm;
    this.right = this.width - o.marginMm;
    this.bottom = this.height - o.marginMm - 6; // room for the footer
  }

  static async start(fonts: Record<Weight, LabelFont>, title: string, o: FlowOptions): Promise<Flow> {
    const flow = new Flow(await PdfDocument.create(fonts, title), o);
    await flow.newPage();
    return flow;
  }

  get contentWidth(): number {
    return this.right - this.left;
  }

  font(weight: Weight): LabelFont {
    return this.doc.fonts[weight];
  }

  async newPage(): Promise<void> {
    this.page = this.doc.addPage(this.width, this.height);
    this.y = this.o.marginMm;
    this.y += await this.o.header(this.page, this);
  }

  /** Starts a new page unless `heightMm` still fits on this one. */
  async ensure(heightMm: number): Promise<void> {
    if (this.y + heightMm > this.bottom) await this.newPage();
  }

  lines(text: string, size: number, weight: Weight, width: number): string[] {
    const clean = printableText(text, this.font(weight)).trimEnd();
    return clean ? wrap(clean, this.font(weight), size, width, 1000) : [];
  }

  /** Text at (x, top y), wrapped to `width`; returns the height used. */
  async textAt(text: string, x: number, y: number, size: number, weight: Weight, width: number, align: Column['align'] = 'left', grey = false): Promise<number> {
    const lines = this.lines(text, size, weight, width);
    for (const [i, line] of lines.entries()) {
      const w = this.font(weight).width(line) * size;
      const dx = align === 'right' ? width - w : align === 'center' ? (width - w) / 2 : 0;
      await this.page.text(line, x + dx, y + size * 0.85 + i * size * LINE, size, weight, 0, grey);
    }
    return lines.length * size * LINE;
  }

  /** A section heading, kept on the same page as the first `keepWithMm` of what follows it. */
  async heading(text: string, size = 4.2, keepWithMm = 12): Promise<void> {
    await this.ensure(size * 3 + keepWithMm);
    this.y += size * 0.6;
    this.y += await this.textAt(text, this.left, this.y, size, 'bold', this.contentWidth);
    this.page.line(this.left, this.y + 0.6, this.right, this.y + 0.6, 0.3);
    this.y += 2;
  }

  async paragraph(text: string, size = 3.4, weight: Weight = 'regular'): Promise<void> {
    for (const line of this.lines(text, size, weight, this.contentWidth)) {
      await this.ensure(size * LINE);
      await this.page.text(line, this.left, this.y + size * 0.85, size, weight);
      this.y += size * LINE;
    }
    this.y += 1;
  }

  /** Label/value pairs in `columns` columns; empty values are left out. */
  async keyValues(pairs: Array<[string, string | undefined]>, columns = 2, size = 3.4): Promise<void> {
    const shown = pairs.filter((p): p is [string, string] => !!p[1]);
    const colWidth = this.contentWidth / columns;
    const labelWidth = Math.min(32, colWidth * 0.38);
    for (let i = 0; i < shown.length; i += columns) {
      const row = shown.slice(i, i + columns);
      const height = Math.max(...row.map(([, v]) => this.lines(v, size, 'regular', colWidth - labelWidth - 2).length)) * size * LINE;
      await this.ensure(height);
      for (const [j, [k, v]] of row.entries()) {
        const x = this.left + j * colWidth;
        await this.textAt(k, x, this.y, size * 0.9, 'regular', labelWidth, 'left', true);
        await this.textAt(v, x + labelWidth, this.y, size, 'regular', colWidth - labelWidth - 2);
      }
      this.y += height + 0.8;
    }
    this.y += 1;
  }

  /** A table whose header repeats on each page; a row is never split across pages. */
  async table(columns: readonly Column[], rows: string[][], size = 3.1): Promise<void> {
    const total = columns.reduce((a, c) => a + c.weight, 0);
    const widths = columns.map((c) => (c.weight / total) * this.contentWidth);
    const pad = 1;
    const header = async () => {
      const h = Math.max(...columns.map((c, i) => this.lines(c.title, size, 'bold', widths[i]! - 2 * pad).length)) * size * LINE + 2 * pad;
      this.page.fillRects([[this.left, this.y, this.contentWidth, 0.4]]);
      let x = this.left;
      for (const [i, c] of columns.entries()) {
        await this.textAt(c.title, x + pad, this.y + pad, size, 'bold', widths[i]! - 2 * pad, c.align);
        x += widths[i]!;
      }
      this.y += h;
      this.page.line(this.left, this.y, this.right, this.y, 0.3);
    };
    await this.ensure(size * LINE * 3);
    await header();
    for (const row of rows) {
      const cells = row.map((v, i) => this.lines(v, size, 'regular', widths[i]! - 2 * pad));
      const h = Math.max(1, ...cells.map((c) => c.length)) * size * LINE + 2 * pad;
      if (this.y + h > this.bottom) {
        await this.newPage();
        await header();
      }
      let x = this.left;
      for (const [i, c] of columns.entries()) {
        await this.textAt(row[i] ?? '', x + pad, this.y + pad, size, 'regular', widths[i]! - 2 * pad, c.align);
        x += widths[i]!;
      }
      this.y += h;
      this.page.line(this.left, this.y, this.right, this.y, 0.1, true);
    }
    this.y += 3;
  }

  /** A barcode in a box at (x, y); the module size is the largest that fits, at least 0.25 mm. */
  barcode(symbology: Symbology, data: string, x: number, y: number, w: number, h: number): void {
    const code = encodeBarcode(symbology, data);
    const rects: Array<[number, number, number, number]> = [];
    if (code.kind === 'linear') {
      const m = Math.max(0.25, w / (code.modules + 20));
      let u = x + (w - code.modules * m) / 2;
      code.widths.forEach((bw, i) => {
        if (i % 2 === 0) rects.push([u, y, bw * m, h]);
        u += bw * m;
      });
    } else {
      const m = Math.max(0.25, Math.min(w / code.cols, h / code.rows));
      for (let r = 0; r < code.rows; r++) for (let c = 0; c < code.cols; c++) if (code.cells[r * code.cols + c]) rects.push([x + c * m, y + r * m, m, m]);
    }
    this.page.fillRects(rects);
  }

  /** Footers with "page i of n" once every page exists. */
  async finish(): Promise<Uint8Array> {
    const pages = this.doc.pageList;
    for (const [i, page] of pages.entries()) {
      const y = this.height - this.o.marginMm;
      page.line(this.left, y - 4.5, this.right, y - 4.5, 0.1, true);
      const text = printableText(this.o.footer, this.font('regular'));
      await page.text(text, this.left, y - 1, 2.6, 'regular', 0, true);
      const numbering = `page ${i + 1} of ${pages.length}`;
      await page.text(numbering, this.right - this.font('regular').width(numbering) * 2.6, y - 1, 2.6, 'regular', 0, true);
    }
    return this.doc.save();
  }
}
