// Makes a layout template's labels as ZPL for a job: fields reused between the labels of a batch, and images stored
// in the printer once per job. What each field says is zpl.ts's.
import { createHash } from 'node:crypto';
import type { LabelFont, Weight } from './fonts.js';
import { boundValue, layoutBound, type CompiledLayout, type Primitive } from './layout.js';
import { dots, imageBits, primitiveFields, zplHeader, type GraphicBits, type ZplContext } from './zpl.js';

/** Distinct values kept per element: more than a batch's shared fields, fewer than a long run of serials. */
const FRAGMENT_CACHE_LIMIT = 256;
/** Values an element is kept for before it counts as one that changes on every label. */
const KEEP_TRIAL = 16;

/**
 * Makes a layout template's labels as ZPL, one label after another. The labels of a batch differ in a few fields (the
 * serial, "3 of 12"): each element's fields are built and encoded once per distinct value it shows, and a label is
 * its bindings plus a copy of those bytes (building the label as a string and encoding it again cost more than the
 * rest). A label is the same whether made alone or after others.
 */
export class ZplLabelMaker {
  private readonly head: Buffer;
  private static readonly TAIL = Buffer.from('\n^XZ\n');
  private readonly fragments: Array<Map<string, Buffer>>;
  /** Per element, how often a label met a kept value and how often not. */
  private readonly seen: Array<{ hits: number; misses: number }>;
  private readonly parts: Array<Buffer | string> = [];
  /** Per element, what the last label gave it to read (its root fields' values) and what it drew of them. */
  private readonly last: Array<{ inputs: unknown[]; fragment: Buffer } | undefined>;

  /** Graphics the labels recall (with storedGraphics), by the image element that draws them. */
  private readonly graphics = new Map<number, StoredGraphic>();

  /**
   * With `storedGraphics`, images are stored in the printer once (see prefix()) and recalled by each label with ^XG
   * (a 30 x 9 mm logo is ~4.3 KB of hex per label otherwise); without, each label carries its own (^GF).
   */
  constructor(
    private readonly compiled: CompiledLayout,
    private readonly fonts: Record<Weight, LabelFont>,
    private readonly ctx: ZplContext,
    private readonly storedGraphics = false,
  ) {
    this.head = Buffer.from(zplHeader(compiled.template.size, ctx.dpmm).join('\n'));
    this.fragments = compiled.elements.map(() => new Map());
    this.seen = compiled.elements.map(() => ({ hits: 0, misses: 0 }));
    this.last = compiled.elements.map(() => undefined);
  }

  /**
   * A new run of labels: what earlier labels gave each element is forgotten (their data may have changed since).
   * Within a run, the labels' data must not change.
   */
  startRun(): void {
    this.last.fill(undefined);
  }

  /**
   * What must reach the printer before any of these labels: the ~DG of each graphic they recall (empty without
   * storedGraphics, or without images). Sent again with every delivery, since a printer switched off forgets them.
   */
  prefix(): Buffer {
    if (!this.storedGraphics) return EMPTY;
    const stores = new Set<string>();
    this.compiled.elements.forEach((element, i) => {
      if (element.element.type === 'image') stores.add(this.graphic(i, layoutBound(element, '', this.fonts, this.ctx.dpmm, false) as Extract<Primitive, { kind: 'image' }>).store);
    });
    return Buffer.from([...stores].join(''));
  }

  private graphic(index: number, p: Extract<Primitive, { kind: 'image' }>): StoredGraphic {
    let graphic = this.graphics.get(index);
    if (!graphic) this.graphics.set(index, (graphic = storedGraphic(imageBits(p, this.ctx))));
    return graphic;
  }

  /** One label as text. */
  label(data: unknown): string {
    this.startRun();
    return this.partsOf(data)
      .map((p) => (typeof p === 'string' ? p : p.toString('utf8')))
      .join('');
  }

  /** Writes one label into `out` at `at`; returns where it ends, or -1 (nothing written) when it does not fit. */
  labelInto(out: Buffer, at: number, data: unknown): number {
    const parts = this.partsOf(data);
    let length = 0;
    for (const p of parts) length += typeof p === 'string' ? Buffer.byteLength(p) : p.length;
    if (out.length - at < length) return -1;
    for (const p of parts) {
      if (typeof p === 'string') at += out.write(p, at, 'utf8');
      else {
        out.set(p, at);
        at += p.length;
      }
    }
    return at;
  }

  /** A label's bytes in order: kept fragments, and (as text) the fields of elements that change on every label. */
  private partsOf(data: unknown): Array<Buffer | string> {
    const parts = this.parts;
    parts.length = 0;
    parts.push(this.head);
    const elements = this.compiled.elements;
    const record = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
    for (let i = 0; i < elements.length; i++) {
      const element = elements[i]!;
      // The same root values as the label before (the work order, the line: the same objects): the same fields.
      const last = this.last[i];
      if (last && sameInputs(last.inputs, element.roots, record)) {
        if (last.fragment.length) parts.push(last.fragment);
        continue;
      }
      const value = boundValue(element, data);
      let fragment: Buffer = EMPTY;
      if (value !== undefined) {
        const cache = this.fragments[i]!;
        const kept = cache.get(value);
        const seen = this.seen[i]!;
        if (kept) {
          seen.hits++;
          fragment = kept;
        } else {
          seen.misses++;
          const p = layoutBound(element, value, this.fonts, this.ctx.dpmm, false);
          const fields = p.kind === 'image' && this.storedGraphics ? [`^FO${dots(p.x, this.ctx.dpmm)},${dots(p.y, this.ctx.dpmm)}^XG${this.graphic(i, p).name},1,1^FS`] : primitiveFields(p, this.ctx);
          const text = fields.length ? '\n' + fields.join('\n') : '';
          // An element that shows something new on almost every label (a serial) is written as text, not kept:
          // thousands of kept fragments never met again were garbage for the collector (and memory for a long job).
          if (seen.misses > KEEP_TRIAL && seen.hits < seen.misses) {
            this.last[i] = undefined;
            if (text) parts.push(text);
            continue;
          }
          fragment = text ? Buffer.from(text) : EMPTY;
          if (cache.size >= FRAGMENT_CACHE_LIMIT) cache.clear();
          cache.set(value, fragment);
        }
      }
      this.last[i] = { inputs: element.roots.map((r) => record[r]), fragment };
      if (fragment.length) parts.push(fragment);
    }
    parts.push(ZplLabelMaker.TAIL);
    return parts;
  }
}

const EMPTY: Buffer = Buffer.alloc(0);

function sameInputs(inputs: readonly unknown[], roots: readonly string[], record: Record<string, unknown>): boolean {
  for (let k = 0; k < roots.length; k++) if (record[roots[k]!] !== inputs[k]) return false;
  return true;
}

/**
 * A graphic kept in the printer's memory (R:, until it is switched off) for the labels of one job: stored once with
 * ~DG before them, recalled by each with ^XG. Named after its dots, so the same logo at the same size has one name.
 */
export interface StoredGraphic {
  name: string;
  /** The ~DG command that stores it. */
  store: string;
}

function storedGraphic(bits: GraphicBits): StoredGraphic {
  const name = `R:BP${createHash('sha1').update(bits.hex).update(String(bits.bytesPerRow)).digest('hex').slice(0, 6).toUpperCase()}.GRF`;
  return { name, store: `~DG${name},${bits.total},${bits.bytesPerRow},${bits.hex}\n` };
}
