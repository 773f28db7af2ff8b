// Typed GoldLeaf calls the station uses: work orders, assemblies, kits, hoses, crimp specs, and file downloads.
import { StationError } from '../errors.js';
import type { GoldleafConfig } from '../config/schema.js';
import type { GoldleafHttp, QueryValue, RawResponse } from './http.js';
import {
  crimpSpecSchema,
  customerSchema,
  ferruleSchema,
  fittingSchema,
  hoseAssemblySchema,
  hoseKitSchema,
  hoseSchema,
  parseResponse,
  workOrderSchema,
  type CrimpSpecDoc,
} from './schemas.js';

export type FileOwner = 'workorder' | 'hoseassembly' | 'hosekit';
export type FileKind = 'labels' | 'datasheet' | 'marken' | 'pts';

export interface GoldleafFile {
  bytes: Uint8Array;
  contentType: string;
  fileName: string;
}

export interface LabelParams {
  numCopies?: number;
  numHoseAssemblies?: number;
  labelSize?: string;
}

const FILE_PATHS: Record<FileOwner, Record<FileKind, string>> = {
  workorder: { labels: 'labels', datasheet: 'getWorkOrderDataSheet', marken: 'getmarkenfile', pts: 'getparkerptsfile' },
  hoseassembly: { labels: 'label', datasheet: 'datasheet', marken: 'getmarkenfile', pts: 'getparkerptsfile' },
  hosekit: { labels: 'labels', datasheet: 'getHoseKitDataSheet', marken: 'getmarkenfile', pts: 'getparkerptsfile' },
};

const MAX_PAGES = 1000;

export type ClientSettings = Pick<GoldleafConfig, 'releasedStatuses' | 'pageSize' | 'listItemsField' | 'listTotalField'>;

export class GoldleafClient {
  constructor(
    private readonly http: GoldleafHttp,
    private readonly settings: ClientSettings,
  ) {}

  /** Rows of every released work order, all pages; each row is validated by the caller so one bad row spoils nothing. */
  listReleasedWorkOrders(signal?: AbortSignal): Promise<unknown[]> {
    return this.listAll('/workorders', { status: this.settings.releasedStatuses }, signal);
  }

  /**
   * One question, not retried: the key is accepted and the released work orders can be listed (how many, where the
   * server says). For check-config, before the first sync.
   */
  async probe(signal?: AbortSignal): Promise<{ released?: number }> {
    const path = '/workorders';
    const res = await this.http.request({ method: 'GET', path, query: { status: this.settings.releasedStatuses, page: 1, limit: 1 }, maxRetries: 0, ...(signal ? { signal } : {}) });
    const body = parseJson(`GET ${path}`, res.bytes);
    const { total } = envelope(`GET ${path}`, body, this.settings.listItemsField, this.settings.listTotalField);
    return total === undefined ? {} : { released: total };
  }

  /** One work order; `maxRetries` lowers the tries for a sync that meets a bad record (it tries again next time). */
  async getWorkOrder(id: string, signal?: AbortSignal, maxRetries?: number) {
    return this.getJson(`/workorder/${enc(id)}`, workOrderSchema, signal, maxRetries);
  }

  getWorkOrderItems(id: string, signal?: AbortSignal): Promise<unknown[]> {
    return this.listAll(`/workorder/${enc(id)}/items`, {}, signal);
  }

  getHoseAssembly(id: string, signal?: AbortSignal) {
    return this.getJson(`/hoseassembly/${enc(id)}`, hoseAssemblySchema, signal);
  }

  getHoseKit(id: string, signal?: AbortSignal) {
    return this.getJson(`/hosekit/${enc(id)}`, hoseKitSchema, signal);
  }

  getHoseKitItems(id: string, signal?: AbortSignal): Promise<unknown[]> {
    return this.listAll(`/hosekit/${enc(id)}/allitems`, {}, signal);
  }

  getHose(id: string, signal?: AbortSignal) {
    return this.getJson(`/hose/${enc(id)}`, hoseSchema, signal);
  }

  async getHoseCrimpSpecs(hoseId: string, signal?: AbortSignal): Promise<CrimpSpecDoc[]> {
    const endpoint = `GET /hose/${hoseId}/crimpspecs`;
    const rows = await this.listAll(`/hose/${enc(hoseId)}/crimpspecs`, {}, signal);
    return rows.map((row, i) => parseResponse(`${endpoint} [${i}]`, crimpSpecSchema, row));
  }

  getFitting(id: string, signal?: AbortSignal) {
    return this.getJson(`/crimpfitting/${enc(id)}`, fittingSchema, signal);
  }

  getFerrule(id: string, signal?: AbortSignal) {
    return this.getJson(`/ferrule/${enc(id)}`, ferruleSchema, signal);
  }

  getCustomer(id: string, signal?: AbortSignal) {
    return this.getJson(`/customer/${enc(id)}`, customerSchema, signal);
  }

  /** A GoldLeaf-made file (labels PDF, datasheet, Marken or PTS file), kept byte for byte with its name and type. */
  async getFile(owner: FileOwner, id: string, kind: FileKind, params: LabelParams = {}, signal?: AbortSignal): Promise<GoldleafFile> {
    const path = `/${owner}/${enc(id)}/${FILE_PATHS[owner][kind]}`;
    const res = await this.http.request({
      method: 'POST',
      path,
      body: kind === 'labels' ? { params } : {},
      accept: 'application/pdf, application/octet-stream, text/plain, */*',
      ...(signal ? { signal } : {}),
    });
    return this.fileFrom(`POST ${path}`, res, `${owner}-${id}-${kind}`);
  }

  private async fileFrom(endpoint: string, res: RawResponse, fallbackName: string): Promise<GoldleafFile> {
    const contentType = (res.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase();
    if (contentType === 'application/json') {
      // Some GoldLeaf endpoints may wrap the file: base64 data or a link to it.
      const body = parseJson(endpoint, res.bytes) as Record<string, unknown>;
      const inner = (typeof body?.data === 'object' && body.data !== null ? body.data : body) as Record<string, unknown>;
      const base64 = [inner.file, inner.content, inner.base64, body.data].find((v): v is string => typeof v === 'string' && /^[A-Za-z0-9+/=\s]+$/.test(v));
      const name = typeof inner.fileName === 'string' ? inner.fileName : typeof inner.filename === 'string' ? inner.filename : undefined;
      const type = typeof inner.contentType === 'string' ? inner.contentType : 'application/octet-stream';
      if (base64) return { bytes: new Uint8Array(Buffer.from(base64, 'base64')), contentType: type, fileName: name ?? fallbackName };
      throw new StationError('GOLDLEAF_BAD_RESPONSE', `GoldLeaf answered ${endpoint} with JSON but no file in it.`, {
        status: 502,
        details: { keys: Object.keys(body ?? {}).slice(0, 10) },
      });
    }
    const fileName = fileNameFrom(res.headers.get('content-disposition')) ?? `${fallbackName}${extensionFor(contentType)}`;
    return { bytes: res.bytes, contentType, fileName };
  }

  private async getJson<S extends Parameters<typeof parseResponse>[1]>(path: string, schema: S, signal?: AbortSignal, maxRetries?: number) {
    const res = await this.http.request({ method: 'GET', path, ...(signal ? { signal } : {}), ...(maxRetries === undefined ? {} : { maxRetries }) });
    const body = unwrapObject(parseJson(`GET ${path}`, res.bytes));
    return parseResponse(`GET ${path}`, schema, body);
  }

  /** Pages through a list until a short page, the total, or a page that repeats the previous one. */
  private async listAll(path: string, query: Record<string, QueryValue>, signal?: AbortSignal): Promise<unknown[]> {
    const { pageSize, listItemsField, listTotalField } = this.settings;
    const rows: unknown[] = [];
    let previousFirst: string | undefined;
    for (let page = 1; page <= MAX_PAGES; page++) {
      const res = await this.http.request({ method: 'GET', path, query: { ...query, page, limit: pageSize }, ...(signal ? { signal } : {}) });
      const body = parseJson(`GET ${path}`, res.bytes);
      const { items, total } = envelope(`GET ${path}`, body, listItemsField, listTotalField);
      const first = JSON.stringify((items[0] as { _id?: unknown } | undefined)?._id ?? items[0]);
      // A server that ignores paging returns the same page again: stop rather than loop.
      if (page > 1 && items.length > 0 && first === previousFirst) break;
      previousFirst = first;
      rows.push(...items);
      // With a total, trust it (a server may cap pages below our limit); without one, a short page is the last.
      if (items.length === 0 || Array.isArray(body)) break;
      if (total !== undefined ? rows.length >= total : items.length < pageSize) break;
    }
    return rows;
  }
}

function enc(id: string): string {
  return encodeURIComponent(id);
}

function parseJson(endpoint: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    // Not retried at once: the same record usually comes back the same; the next sync asks again.
    throw new StationError('GOLDLEAF_BAD_RESPONSE', `GoldLeaf's answer to ${endpoint} is not JSON.`, { status: 502 });
  }
}

/** Single objects may come bare or as {data: {...}}. */
function unwrapObject(body: unknown): unknown {
  if (body && typeof body === 'object' && !Array.isArray(body) && !('_id' in body) && 'data' in body) {
    const data = (body as { data: unknown }).data;
    if (data && typeof data === 'object' && !Array.isArray(data)) return data;
  }
  return body;
}

function envelope(endpoint: string, body: unknown, itemsField: string, totalField: string): { items: unknown[]; total?: number } {
  if (Array.isArray(body)) return { items: body };
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    const nested = record.data && typeof record.data === 'object' && !Array.isArray(record.data) ? (record.data as Record<string, unknown>) : undefined;
    const items = [record[itemsField], nested?.[itemsField], record.data].find(Array.isArray);
    if (items) {
      const total = record[totalField] ?? nested?.[totalField];
      return { items, ...(typeof total === 'number' ? { total } : {}) };
    }
  }
  throw new StationError('GOLDLEAF_BAD_RESPONSE', `GoldLeaf's answer to ${endpoint} is not a list: no "${itemsField}" array.`, {
    status: 502,
    hint: 'If GoldLeaf names the list differently, set goldleaf.listItemsField in the config.',
    details: { endpoint, field: itemsField },
  });
}

export function fileNameFrom(disposition: string | null): string | undefined {
  if (!disposition) return undefined;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition);
  if (star) {
    try {
      return decodeURIComponent(star[1]!.trim());
    } catch {
      // fall through to the plain form
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/.exec(disposition);
  const name = plain ? (plain[2] ?? plain[1]!).trim() : undefined;
  return name || undefined;
}

function extensionFor(contentType: string): string {
  if (contentType === 'application/pdf') return '.pdf';
  if (contentType === 'text/csv') return '.csv';
  if (contentType.startsWith('text/')) return '.txt';
  if (contentType.includes('xml')) return '.xml';
  return '.bin';
}
