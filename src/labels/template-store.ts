// Label templates made or imported at the station, kept in its store: every version with who, when and what changed,
// one active; images uploaded for them. Saving is checked against the version the editor started from.
import type { Statement } from 'better-sqlite3';
import { StationError } from '../errors.js';
import { lazy } from '../lib/lazy.js';
import { ShopClock } from '../lib/shop-clock.js';
import { preparedStatements, type Store } from '../store/store.js';
import type { LabelTemplateDef } from './template-schema.js';

const pngjs = lazy<typeof import('pngjs')>('pngjs');

export interface TemplateVersionInfo {
  version: number;
  note: string;
  author: string;
  createdAt: string;
  active: boolean;
}

/** Largest image a template may carry: a label is at most a few thousand dots across. */
export const IMAGE_LIMITS = { bytes: 1024 * 1024, side: 2400 };

export class TemplateStore {
  private readonly sql: (text: string) => Statement;

  /** `clock`: the shop's, for the times in its messages. */
  constructor(
    private readonly store: Store,
    private readonly clock = new ShopClock(),
  ) {
    this.sql = preparedStatements(store);
  }

  ids(): string[] {
    return (this.sql('SELECT id FROM label_templates ORDER BY id').all() as Array<{ id: string }>).map((r) => r.id);
  }

  has(id: string): boolean {
    return this.sql('SELECT 1 FROM label_templates WHERE id = ?').get(id) !== undefined;
  }

  activeVersion(id: string): number | undefined {
    return (this.sql('SELECT active_version AS v FROM label_templates WHERE id = ?').get(id) as { v: number } | undefined)?.v;
  }

  latestVersion(id: string): { version: number; author: string; createdAt: string } | undefined {
    const row = this.sql('SELECT version, author, created_at FROM label_template_versions WHERE template_id = ? ORDER BY version DESC LIMIT 1').get(id) as
      | { version: number; author: string; created_at: string }
      | undefined;
    return row ? { version: row.version, author: row.author, createdAt: row.created_at } : undefined;
  }

  definition(id: string, version: number): LabelTemplateDef | undefined {
    const row = this.sql('SELECT definition FROM label_template_versions WHERE template_id = ? AND version = ?').get(id, version) as { definition: string } | undefined;
    return row ? (JSON.parse(row.definition) as LabelTemplateDef) : undefined;
  }

  versions(id: string): TemplateVersionInfo[] {
    const active = this.activeVersion(id);
    return (this.sql('SELECT version, note, author, created_at FROM label_template_versions WHERE template_id = ? ORDER BY version DESC').all(id) as Array<{ version: number; note: string; author: string; created_at: string }>).map((r) => ({
      version: r.version,
      note: r.note,
      author: r.author,
      createdAt: r.created_at,
      active: r.version === active,
    }));
  }

  /**
   * Stores a new version (the first makes the template). `base` is the version the editor started from: if someone
   * saved another since, nothing is stored and the error says who and when. All of it in one commit.
   */
  save(def: LabelTemplateDef, o: { base: number | undefined; author: string; note: string; activate: boolean }): number {
    return this.store.db.transaction(() => {
      const latest = this.latestVersion(def.id);
      if ((latest?.version ?? 0) !== (o.base ?? 0)) {
        throw new StationError(
          'TEMPLATE_CHANGED',
          latest
            ? `Template "${def.id}" was changed by ${latest.author} at ${this.clock.minute(latest.createdAt)} (version ${latest.version}) since you opened version ${o.base ?? 'none'}. Nothing was saved.`
            : `Template "${def.id}" does not exist yet: there is no version ${o.base} to build on. Nothing was saved.`,
          {
            status: 409,
            hint: latest ? `Look at version ${latest.version} first; to keep yours as well, save it again on top (base ${latest.version}): theirs stays in the history.` : 'Make it as a new template.',
            details: { latest: latest?.version ?? 0, author: latest?.author, at: latest?.createdAt },
          },
        );
      }
      const now = new Date().toISOString();
      const version = (latest?.version ?? 0) + 1;
      if (!latest) this.sql('INSERT INTO label_templates (id, active_version, created_at, created_by) VALUES (?, ?, ?, ?)').run(def.id, version, now, o.author);
      this.sql('INSERT INTO label_template_versions (template_id, version, definition, note, author, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
        def.id,
        version,
        JSON.stringify({ ...def, version }),
        o.note,
        o.author,
        now,
      );
      if (o.activate) this.sql('UPDATE label_templates SET active_version = ? WHERE id = ?').run(version, def.id);
      return version;
    })();
  }

  /** Makes a kept version the one that prints (a rollback). */
  activate(id: string, version: number): void {
    if (!this.definition(id, version)) throw new StationError('TEMPLATE_VERSION_NOT_FOUND', `Template "${id}" has no version ${version}.`, { status: 404 });
    this.sql('UPDATE label_templates SET active_version = ? WHERE id = ?').run(version, id);
  }

  /** An uploaded PNG, checked: a readable PNG within the size limits, else nothing is stored. */
  putImage(name: string, png: Uint8Array, author: string): { width: number; height: number } {
    if (!/^[\w.-]+\.png$/.test(name)) throw new StationError('INVALID_IMAGE', `"${name}" is not a PNG file name (letters, digits, dot, dash; ending in .png).`, { status: 422 });
    if (png.length > IMAGE_LIMITS.bytes) {
      throw new StationError('IMAGE_TOO_LARGE', `${name} is ${Math.round(png.length / 1024)} KB; an image for a label may be at most ${IMAGE_LIMITS.bytes / 1024} KB.`, {
        status: 413,
        hint: `Scale it down to at most ${IMAGE_LIMITS.side} pixels across and save it as a black-and-white PNG.`,
      });
    }
    // The size is read from the header before anything is decoded: a small file can claim a vast picture.
    const header = pngSize(png);
    if (!header) throw new StationError('INVALID_IMAGE', `${name} is not a PNG file.`, { status: 422, hint: 'Save the picture as PNG (black and white is best for labels).' });
    if (header.width > IMAGE_LIMITS.side || header.height > IMAGE_LIMITS.side) {
      throw new StationError('IMAGE_TOO_LARGE', `${name} is ${header.width}x${header.height} pixels; at most ${IMAGE_LIMITS.side} a side.`, { status: 413, hint: 'Scale it down first.' });
    }
    try {
      pngjs().PNG.sync.read(Buffer.from(png));
    } catch (err) {
      throw new StationError('INVALID_IMAGE', `${name} is not a readable PNG (${(err as Error).message}).`, { status: 422 });
    }
    // An image's name means one picture forever: templates (and reprints of old versions) refer to it by name.
    const existing = this.image(name);
    if (existing) {
      if (Buffer.compare(Buffer.from(existing), Buffer.from(png)) === 0) return header;
      throw new StationError('IMAGE_EXISTS', `There is already a different image called ${name}.`, {
        status: 409,
        hint: 'Upload the new picture under another name: labels printed with the old one reprint with it.',
      });
    }
    const { width, height } = header;
    this.sql('INSERT INTO label_images (name, png, width, height, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)').run(name, Buffer.from(png), width, height, new Date().toISOString(), author);
    return { width, height };
  }

  deleteImage(name: string): void {
    this.sql('DELETE FROM label_images WHERE name = ?').run(name);
  }

  image(name: string): Uint8Array | undefined {
    const row = this.sql('SELECT png FROM label_images WHERE name = ?').get(name) as { png: Buffer } | undefined;
    return row ? new Uint8Array(row.png) : undefined;
  }

  images(): Array<{ name: string; width: number; height: number }> {
    return this.sql('SELECT name, width, height FROM label_images ORDER BY name').all() as Array<{ name: string; width: number; height: number }>;
  }
}

/** Width and height from a PNG's IHDR chunk, or undefined when the bytes are not a PNG. */
export function pngSize(png: Uint8Array): { width: number; height: number } | undefined {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.length < 24 || sig.some((b, i) => png[i] !== b)) return undefined;
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  if (String.fromCharCode(png[12]!, png[13]!, png[14]!, png[15]!) !== 'IHDR') return undefined;
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
