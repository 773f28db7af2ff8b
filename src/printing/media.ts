// The size of a medium from its PWG 5101.1 self-describing name, as IPP printers list what they have loaded
// (media-ready): "iso_a4_210x297mm", "na_letter_8.5x11in", "oe_4x6-label_4x6in", "custom_w101h152_101.6x152.4mm".

export interface MediaSize {
  widthMm: number;
  heightMm: number;
}

const SIZE = /_(\d+(?:\.\d+)?)x(\d+(?:\.\d+)?)(mm|in)$/;

/** The medium's size in mm, or undefined for a name that does not end in one (e.g. "roll_max_…" or a vendor's word). */
export function pwgMediaSize(name: string): MediaSize | undefined {
  const m = SIZE.exec(name.trim());
  if (!m) return undefined;
  const unit = m[3] === 'in' ? 25.4 : 1;
  const widthMm = Math.round(Number(m[1]) * unit * 10) / 10;
  const heightMm = Math.round(Number(m[2]) * unit * 10) / 10;
  return widthMm > 0 && heightMm > 0 ? { widthMm, heightMm } : undefined;
}

/** The sizes of the media an IPP printer lists as loaded, once each; names without a size are left out. */
export function readyMedia(names: unknown): MediaSize[] {
  const list = Array.isArray(names) ? names : names === undefined ? [] : [names];
  const sizes = new Map<string, MediaSize>();
  for (const n of list) {
    const s = typeof n === 'string' ? pwgMediaSize(n) : undefined;
    if (s) sizes.set(`${s.widthMm}x${s.heightMm}`, s);
  }
  return [...sizes.values()];
}

/** What a printer has loaded, and who says so: its entry (config file, Printers screen) or the printer itself. */
export interface Stock {
  sizes: MediaSize[];
  from: 'config' | 'printer';
}
