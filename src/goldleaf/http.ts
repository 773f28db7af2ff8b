// The only place that calls fetch for GoldLeaf: token, timeouts, retries with back-off, Retry-After, a concurrency cap.
import { StationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { GoldleafConfig } from '../config/schema.js';
import { backoffDelay, parseRetryAfter, sleep } from '../lib/backoff.js';
import { Semaphore } from '../lib/semaphore.js';
import type { HttpSettings, RawResponse } from './http-types.js';
import { TokenManager } from './token.js';

export type { HttpSettings, RawResponse } from './http-types.js';

export type QueryValue = string | number | boolean | readonly string[] | undefined;

export interface RequestSpec {
  method: 'GET' | 'POST';
  /** Path under the API base URL, e.g. "/workorders". */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  accept?: string;
  signal?: AbortSignal;
  /** Fewer tries than configured, for one record of many. */
  maxRetries?: number;
}

export class GoldleafHttp {
  private readonly limiter: Semaphore;
  private readonly tokens: TokenManager;

  constructor(
    private readonly settings: HttpSettings,
    private readonly logger: Logger,
    private readonly fetchImpl: typeof fetch = fetch,
    /** Told of every answer's Date and Age headers and when its request left (on its monotonic clock): the PC's clock is checked against them. */
    private readonly serverTime?: { mono(): number; heard(date: string | null, age: string | null, sentMono: number): void },
  ) {
    this.limiter = new Semaphore(settings.maxConcurrent);
    this.tokens = new TokenManager(settings, (url, init) => this.fetchWithTimeout(url, init), logger);
  }

  /** Sends a request with retries; resolves with any 2xx response, throws a StationError otherwise. */
  async request(spec: RequestSpec): Promise<RawResponse> {
    const endpoint = `${spec.method} ${spec.path}`;
    let refreshedAfter401 = false;
    for (let attempt = 0; ; attempt++) {
      spec.signal?.throwIfAborted();
      let response: RawResponse | undefined;
      let failure: StationError;
      try {
        const used = await this.tokens.get(spec.signal);
        response = await this.limiter.run(() => this.send(spec, used));
        if (response.status >= 200 && response.status < 300) return response;
        if (response.status === 401 && !refreshedAfter401) {
          // The token may have expired early or been revoked: one fresh token, one more try.
          refreshedAfter401 = true;
          this.tokens.invalidate(used);
          attempt--;
          continue;
        }
        failure = httpFailure(endpoint, response);
      } catch (err) {
        if (spec.signal?.aborted) throw spec.signal.reason;
        failure = err instanceof StationError ? err : networkFailure(endpoint, err, this.settings.requestTimeoutMs);
      }
      if (!failure.retryable || attempt >= Math.min(spec.maxRetries ?? this.settings.maxRetries, this.settings.maxRetries)) throw failure;
      const retryAfter = response ? parseRetryAfter(response.headers.get('retry-after')) : undefined;
      if (retryAfter !== undefined && retryAfter > this.settings.retryMaxMs) {
        // Waiting longer here would block the bench; give the sync loop the wait instead.
        throw new StationError('GOLDLEAF_RATE_LIMITED', `GoldLeaf asks to wait ${Math.ceil(retryAfter / 1000)} s before ${endpoint}.`, {
          status: 503,
          retryable: true,
          details: { retryAfterMs: retryAfter },
          hint: 'The station serves its cached data meanwhile and tries again later.',
        });
      }
      const delay = retryAfter ?? backoffDelay(attempt, this.settings.retryBaseMs, this.settings.retryMaxMs);
      this.logger.warn({ endpoint, status: response?.status, code: failure.code, attempt: attempt + 1, delayMs: delay }, 'GoldLeaf request failed; retrying');
      await sleep(delay, spec.signal);
    }
  }

  private async send(spec: RequestSpec, token: string): Promise<RawResponse> {
    const url = new URL(this.settings.baseUrl.replace(/\/+$/, '') + spec.path);
    appendQuery(url, spec.query ?? {}, this.settings.statusQueryEncoding);
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: spec.accept ?? 'application/json' };
    if (this.settings.customerId) headers.apiCustomerId = this.settings.customerId;
    let body: string | undefined;
    if (spec.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.body);
    }
    return this.fetchWithTimeout(url, { method: spec.method, headers, ...(body === undefined ? {} : { body }), ...(spec.signal ? { signal: spec.signal } : {}) });
  }

  private async fetchWithTimeout(url: URL, init: RequestInit): Promise<RawResponse> {
    const timeout = AbortSignal.timeout(this.settings.requestTimeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const sent = this.serverTime?.mono();
    const res = await this.fetchImpl(url, { ...init, signal, redirect: 'follow' });
    if (sent !== undefined) this.serverTime!.heard(res.headers.get('date'), res.headers.get('age'), sent);
    // The body is read under the same timeout: a server that stalls mid-body fails like one that never answers.
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { status: res.status, headers: res.headers, bytes };
  }
}

/** Encodes arrays the way config says GoldLeaf expects them (the docs do not show it). */
export function appendQuery(url: URL, query: Record<string, QueryValue>, encoding: HttpSettings['statusQueryEncoding']): void {
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      if (encoding === 'comma') url.searchParams.append(key, value.join(','));
      else value.forEach((v, i) => url.searchParams.append(encoding === 'brackets' ? `${key}[]` : encoding === 'indexed' ? `${key}[${i}]` : key, v));
    } else url.searchParams.append(key, String(value));
  }
}

function bodyMessage(bytes: Uint8Array): string {
  const text = new TextDecoder().decode(bytes.subarray(0, 2000)).trim();
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'string') return parsed.slice(0, 200);
    const message = (parsed as { message?: unknown; error?: unknown })?.message ?? (parsed as { error?: unknown })?.error;
    if (typeof message === 'string') return message.slice(0, 200);
  } catch {
    // not JSON: use the text
  }
  return text.replace(/\s+/g, ' ').slice(0, 200);
}

function httpFailure(endpoint: string, res: RawResponse): StationError {
  const said = bodyMessage(res.bytes);
  const suffix = said ? ` GoldLeaf said: "${said}".` : '';
  if (res.status === 401 || res.status === 403) {
    return new StationError('GOLDLEAF_AUTH', `GoldLeaf refused ${endpoint} (${res.status}).${suffix}`, {
      status: 502,
      hint: 'Check the API key and its name, that it has not expired, and that it is an Admin key.',
    });
  }
  if (res.status === 404) return new StationError('GOLDLEAF_NOT_FOUND', `GoldLeaf has nothing at ${endpoint}.${suffix}`, { status: 404 });
  if (res.status === 429) return new StationError('GOLDLEAF_RATE_LIMITED', `GoldLeaf is rate-limiting ${endpoint}.${suffix}`, { status: 503, retryable: true });
  if (res.status >= 500) return new StationError('GOLDLEAF_SERVER_ERROR', `GoldLeaf failed on ${endpoint} (${res.status}).${suffix}`, { status: 502, retryable: true, hint: 'The station serves its cached data meanwhile.' });
  return new StationError('GOLDLEAF_REQUEST_REFUSED', `GoldLeaf refused ${endpoint} (${res.status}).${suffix}`, { status: 502 });
}

function networkFailure(endpoint: string, err: unknown, timeoutMs: number): StationError {
  const name = (err as { name?: string })?.name;
  if (name === 'TimeoutError') {
    return new StationError('GOLDLEAF_TIMEOUT', `GoldLeaf did not answer ${endpoint} within ${timeoutMs} ms.`, { status: 504, retryable: true, cause: err });
  }
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  // A certificate outside its dates by this PC's clock is nearly always the PC's clock (one without a clock battery
  // starts at an old time, or in 1970): "cannot be reached" would send someone to check the cable.
  if (cause?.code === 'CERT_NOT_YET_VALID' || cause?.code === 'CERT_HAS_EXPIRED') {
    const reads = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    return new StationError(
      'GOLDLEAF_CERTIFICATE_DATE',
      `GoldLeaf's certificate ${cause.code === 'CERT_NOT_YET_VALID' ? 'is not valid yet' : 'has expired'} by this PC's clock, which reads ${reads}; ${endpoint} was not asked.`,
      {
        status: 503,
        retryable: true,
        hint: "If that is not the date and time now, set this PC's clock (or let it reach a time server); if it is, GoldLeaf's certificate is out of date: tell GoldLeaf. The station serves its cached data meanwhile.",
        cause: err,
      },
    );
  }
  const why = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
  return new StationError('GOLDLEAF_UNREACHABLE', `GoldLeaf could not be reached for ${endpoint} (${why}).`, {
    status: 503,
    retryable: true,
    hint: 'Check the internet connection of this PC. The station serves its cached data meanwhile.',
    cause: err,
  });
}
