// Gets and caches the GoldLeaf security token; renews it before it expires, one request at a time.
import { z } from 'zod';
import { StationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { HttpSettings, RawResponse } from './http-types.js';

type Fetcher = (url: URL, init: RequestInit) => Promise<RawResponse>;

/** The two documented shapes: {data:{securityToken}} and {securityToken, expires}. */
const tokenResponse = z.union([
  z.looseObject({ data: z.looseObject({ securityToken: z.string().min(1), expires: z.string().optional() }) }),
  z.looseObject({ securityToken: z.string().min(1), expires: z.string().optional() }),
]);

/** Without an expiry in the answer, assume the documented hour, less a margin. */
const DOCUMENTED_LIFETIME_MS = 60 * 60 * 1000;

export class TokenManager {
  private token: { value: string; renewAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly settings: HttpSettings,
    private readonly fetcher: Fetcher,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async get(signal?: AbortSignal): Promise<string> {
    if (this.token && this.now() < this.token.renewAt) return this.token.value;
    // One token request serves every caller waiting at that moment.
    this.pending ??= this.fetchToken(signal).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Drops the token a 401 came back for; a newer one obtained meanwhile by another request stays. */
  invalidate(rejected: string): void {
    if (this.token?.value === rejected) this.token = undefined;
  }

  private async fetchToken(signal?: AbortSignal): Promise<string> {
    const { apiKey, keyName, tokenUrl } = this.settings;
    if (!apiKey || !keyName) {
      throw new StationError('GOLDLEAF_NOT_CONFIGURED', 'No GoldLeaf API key is configured.', {
        status: 503,
        hint: 'Set BENCHPRINT_GOLDLEAF_API_KEY and BENCHPRINT_GOLDLEAF_KEY_NAME, or run in demo mode.',
      });
    }
    const res = await this.fetcher(new URL(tokenUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ apiKey, name: keyName, grantType: 'client_credentials' }),
      ...(signal ? { signal } : {}),
    });
    if (res.status === 401 || res.status === 403 || res.status === 400) {
      throw new StationError('GOLDLEAF_AUTH', `GoldLeaf refused the API key "${keyName}" (${res.status}).`, {
        status: 502,
        hint: "Check the key and its exact name, that it has not expired, and that this site's public IP address is in the key's trusted IPs.",
      });
    }
    if (res.status === 429 || res.status >= 500) {
      throw new StationError('GOLDLEAF_SERVER_ERROR', `GoldLeaf could not issue a security token (${res.status}).`, { status: 502, retryable: true });
    }
    let parsed: z.infer<typeof tokenResponse>;
    try {
      parsed = tokenResponse.parse(JSON.parse(new TextDecoder().decode(res.bytes)));
    } catch {
      throw new StationError('GOLDLEAF_BAD_RESPONSE', `GoldLeaf's token answer (${res.status}) has no securityToken.`, {
        status: 502,
        retryable: true,
        hint: 'Check goldleaf.tokenUrl; it is https://goldleaf.app/security/v1/token, outside /api/v1.',
      });
    }
    const body = ('data' in parsed && typeof parsed.data === 'object' ? parsed.data : parsed) as { securityToken: string; expires?: string };
    const expiresAt = body.expires ? Date.parse(body.expires) : Number.NaN;
    const lifetime = Number.isNaN(expiresAt) ? DOCUMENTED_LIFETIME_MS : Math.max(0, expiresAt - this.now());
    const margin = Math.min(this.settings.tokenRefreshMarginSec * 1000, lifetime / 2);
    this.token = { value: body.securityToken, renewAt: this.now() + lifetime - margin };
    this.logger.info({ renewInSeconds: Math.round((lifetime - margin) / 1000) }, 'GoldLeaf security token obtained');
    return body.securityToken;
  }
}
