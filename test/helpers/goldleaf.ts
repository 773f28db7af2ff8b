// A GoldLeaf client wired to a running sandbox, with settings tests can tighten.
import { configSchema, type GoldleafConfig } from '../../src/config/schema.js';
import { GoldleafClient } from '../../src/goldleaf/client.js';
import { GoldleafHttp } from '../../src/goldleaf/http.js';
import type { Logger } from '../../src/logger.js';
import { silentLogger } from '../../src/logger.js';
import { SANDBOX_KEY, type RunningSandbox } from '../../src/sandbox/server.js';

export function sandboxSettings(sandbox: RunningSandbox, overrides: Partial<GoldleafConfig> = {}): GoldleafConfig {
  const defaults = configSchema.parse({}).goldleaf;
  return { ...defaults, baseUrl: sandbox.baseUrl, tokenUrl: sandbox.tokenUrl, ...SANDBOX_KEY, retryBaseMs: 20, retryMaxMs: 2000, requestTimeoutMs: 2000, ...overrides };
}

export function sandboxClient(sandbox: RunningSandbox, overrides: Partial<GoldleafConfig> = {}, logger: Logger = silentLogger(), fetchImpl?: typeof fetch) {
  const settings = sandboxSettings(sandbox, overrides);
  const http = new GoldleafHttp(settings, logger, fetchImpl);
  return { client: new GoldleafClient(http, settings), http, settings };
}
