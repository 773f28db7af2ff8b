// What the GoldLeaf HTTP client and its token manager share: the settings they read and a raw answer.
import type { GoldleafConfig } from '../config/schema.js';

export interface RawResponse {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
}

export type HttpSettings = Pick<
  GoldleafConfig,
  'baseUrl' | 'tokenUrl' | 'apiKey' | 'keyName' | 'customerId' | 'requestTimeoutMs' | 'maxRetries' | 'retryBaseMs' | 'retryMaxMs' | 'maxConcurrent' | 'tokenRefreshMarginSec' | 'statusQueryEncoding'
>;
