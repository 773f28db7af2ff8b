// The bytes of a PDF as they are written (pages first, fonts and the rest after): where each object starts, for the
// cross-reference table, and pieces handed on as they fill when the PDF streams.

/** Written out in pieces of about this size when a document streams. */
const PIECE_BYTES = 1 << 20;

export class PdfBytes {
  private pieces: Buffer[] = [];
  private held = 0;
  /** Bytes written so far (handed out or held). */
  length = 0;
  /** Byte offset of each object, by object number. */
  private readonly offsets: number[] = [];

  /** Streaming: pieces go to `out` as they fill; else they are kept until flush(). */
  constructor(private readonly out?: (piece: Uint8Array) => void) {}

  raw(bytes: Buffer | string): void {
    const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    this.pieces.push(b);
    this.held += b.length;
    this.length += b.length;
    if (this.out && this.held >= PIECE_BYTES) this.flush();
  }

  object(number: number, ...body: Array<Buffer | string>): void {
    this.offsets[number] = this.length;
    this.raw(`${number} 0 obj\n`);
    for (const b of body) this.raw(b);
    this.raw('\nendobj\n');
  }

  /** The cross-reference table of every object written (objects 1 to size - 1) and the trailer. */
  end(size: number, root: string, info?: string): void {
    const xrefAt = this.length;
    // Runs of consecutive written objects (object 0 is the head of the free list).
    let xref = 'xref\n0 1\n0000000000 65535 f \n';
    for (let n = 1; n < size; ) {
      if (this.offsets[n] === undefined) {
        n++;
        continue;
      }
      let end = n;
      while (end < size && this.offsets[end] !== undefined) end++;
      xref += `${n} ${end - n}\n`;
      for (let i = n; i < end; i++) xref += `${String(this.offsets[i]).padStart(10, '0')} 00000 n \n`;
      n = end;
      if (xref.length >= PIECE_BYTES) {
        this.raw(xref);
        xref = '';
      }
    }
    this.raw(`${xref}trailer\n<< /Size ${size} /Root ${root}${info ? ` /Info ${info}` : ''} >>\nstartxref\n${xrefAt}\n%%EOF\n`);
  }

  /** Hands what is held to `out` (streaming), or returns it all. */
  flush(): Buffer {
    const all = this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces, this.held);
    this.pieces = [];
    this.held = 0;
    if (this.out && all.length) this.out(all);
    return all;
  }
}
