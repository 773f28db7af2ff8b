// The station's configuration: one zod schema, with a description and an example on every key.
import { z } from 'zod';
import { ipv4ToNumber, parseIpv4Network } from '../lib/ipv4.js';
import { isTimeZone } from '../lib/shop-clock.js';

const doc = (description: string, example: unknown) => ({ description, examples: [example] });

const ms = (def: number, description: string, example: number) =>
  z.number().int().min(0).max(3_600_000).default(def).meta(doc(description, example));

const stationSchema = z
  .strictObject({
    name: z.string().min(1).max(60).default('Bench 1').meta(doc('Name shown on the kiosk and in history.', 'Crimp bench 2')),
    serialPrefix: z
      .string()
      .regex(/^[A-Z0-9]{1,6}$/, 'expected 1 to 6 capital letters or digits')
      .default('BP')
      .meta(doc('Start of every tag serial. Benches of a shop with a ledger may share it (their numbers come from the ledger); benches without one each need their own, so serials never collide.', 'B2')),
    shopName: z.string().min(1).max(60).default('Hose shop').meta(doc('Shop name printed on tags and labels.', 'Müller Hydraulik Service')),
    templatesDir: z
      .string()
      .min(1)
      .optional()
      .meta(
        doc(
          "The shop's own templates: a folder with any of labels/, documents/, files/, fonts/ and images/, laid over the ones shipped with benchprint (a label template with the same id, a document layout of the same kind or a file of the same name is the shop's; what the folder lacks, or has broken, is benchprint's).",
          '/etc/benchprint/templates',
        ),
      ),
    fallbackFonts: z
      .array(z.string().min(1))
      .max(20)
      .default(['/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf', '/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf'])
      .meta(
        doc(
          'Font files for characters the label fonts lack (Chinese, Japanese, symbols), tried in order after any other font in the fonts folder; missing files are skipped. The defaults come with Debian: apt install fonts-droid-fallback fonts-symbola.',
          ['/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf'],
        ),
      ),
    timeZone: z
      .string()
      .min(1)
      .refine(isTimeZone, 'expected a time zone such as "America/Chicago", "Europe/Berlin" or "UTC"')
      .optional()
      .meta(
        doc(
          "The shop's time zone, for the dates on tags (assembly date) and papers and the times on the kiosk. Default: this PC's own; set it where the PC is left on UTC (naming one loads the time-zone data: ~8 MB more memory).",
          'America/Chicago',
        ),
      ),
    checkClock: z
      .boolean()
      .default(true)
      .meta(
        doc(
          "Compare this PC's clock with GoldLeaf's (every answer carries its time) and hold new tags and dated papers while the two disagree on the date: a PC without a clock battery starts at an old time until a time server answers. False only where GoldLeaf's own clock is wrong.",
          true,
        ),
      ),
    dataDir: z
      .string()
      .min(1)
      .default('./data')
      .meta(doc('Folder for the database, virtual printer output and downloaded files. Relative paths are from the working directory.', '/var/lib/benchprint')),
  })
  .prefault({});

const serverSchema = z
  .strictObject({
    host: z.string().min(1).default('0.0.0.0').meta(doc('Address to listen on. 0.0.0.0 serves the LAN; 127.0.0.1 only this PC.', '0.0.0.0')),
    port: z.number().int().min(0).max(65535).default(8080).meta(doc('TCP port of the kiosk and the LAN API (0 picks a free one).', 8080)),
    shutdownGraceMs: ms(10_000, 'How long a stop waits for work in flight (requests, then the rest) before closing.', 10000),
    bodyLimitBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(2 * 1024 * 1024).meta(doc('Largest request body accepted.', 2097152)),
    allowedHosts: z
      .array(z.string().min(1).max(253).regex(/^[A-Za-z0-9.:[\]_-]+$/, 'expected a host name or address, without port'))
      .default([])
      .meta(
        doc(
          "Names the station answers to besides its own (localhost, this PC's host name and addresses), e.g. a DNS name given to it. A request for any other Host is refused: a hostile web page cannot reach the station through a name of its own that points here (DNS rebinding).",
          ['bench2.hoseshop.lan'],
        ),
      ),
    trustProxy: z
      .boolean()
      .default(false)
      .meta(
        doc(
          'The station is behind a reverse proxy on this PC or the LAN: take the client address, host and scheme from the X-Forwarded-For, -Host and -Proto headers the proxy sets. Off: a request that came through a proxy is never a bench device, whatever its address.',
          false,
        ),
      ),
  })
  .prefault({});

const logSchema = z
  .strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').meta(doc('Least severe level written to the log.', 'info')),
  })
  .prefault({});

const objectId = z.string().regex(/^[0-9a-f]{24}$/i, 'expected a 24-character hex id');

const goldleafSchema = z
  .strictObject({
    sandbox: z
      .boolean()
      .default(false)
      .meta(doc('Use the built-in GoldLeaf sandbox (demo data) instead of the real API. Demo mode sets it.', false)),
    baseUrl: z.url().default('https://goldleaf.app/api/v1').meta(doc('Base URL of the GoldLeaf API.', 'https://goldleaf.app/api/v1')),
    tokenUrl: z
      .url()
      .default('https://goldleaf.app/security/v1/token')
      .meta(doc('Security token URL; note it is not under /api/v1.', 'https://goldleaf.app/security/v1/token')),
    apiKey: z
      .string()
      .min(1)
      .optional()
      .meta(doc('GoldLeaf API key (an Admin key). Prefer the environment variable BENCHPRINT_GOLDLEAF_API_KEY.', '<from GoldLeaf > Organization > Integrations > API>')),
    keyName: z
      .string()
      .min(1)
      .optional()
      .meta(doc('Name of the API key as entered in GoldLeaf. Environment: BENCHPRINT_GOLDLEAF_KEY_NAME.', 'bench-station')),
    customerId: objectId.optional().meta(doc('Only for customer keys: sent as the apiCustomerId header.', '64b7f0c2a1d3e4f5a6b7c8d9')),
    requestTimeoutMs: ms(15_000, 'Time limit of one GoldLeaf request (each try).', 15000),
    maxRetries: z.number().int().min(0).max(10).default(4).meta(doc('Tries after the first on network errors, 429 and 5xx.', 4)),
    retryBaseMs: ms(500, 'First back-off delay; doubles each try, with jitter.', 500),
    retryMaxMs: ms(30_000, 'Longest single back-off delay, including a Retry-After the server asks for.', 30000),
    maxConcurrent: z.number().int().min(1).max(32).default(4).meta(doc('Most GoldLeaf requests in flight at once.', 4)),
    tokenRefreshMarginSec: z.number().int().min(0).max(1800).default(300).meta(doc('Get a new token this long before the old one expires.', 300)),
    releasedStatuses: z
      .array(z.string().min(1))
      .min(1)
      .default(['Released'])
      .meta(doc('Work-order status values that mean "released to the shop" (compared without case).', ['Released'])),
    statusQueryEncoding: z
      .enum(['repeat', 'brackets', 'indexed', 'comma'])
      .default('repeat')
      .meta(doc('How the status array is sent: repeat (status=a&status=b), brackets (status[]=a), indexed (status[0]=a) or comma (status=a,b).', 'repeat')),
    pageSize: z.number().int().min(1).max(1000).default(100).meta(doc('Work orders asked for per page.', 100)),
    listItemsField: z.string().min(1).default('items').meta(doc('Field of a list response that holds the rows (a bare array is accepted too).', 'items')),
    listTotalField: z.string().min(1).default('total').meta(doc('Field of a list response that holds the total count, when present.', 'total')),
  })
  .prefault({});

const syncSchema = z
  .strictObject({
    intervalSec: z.number().int().min(5).max(86_400).default(60).meta(doc('Seconds between polls of GoldLeaf for released work orders.', 60)),
    maxBackoffSec: z.number().int().min(5).max(86_400).default(600).meta(doc('Longest wait between polls while GoldLeaf fails.', 600)),
    keepUnreleasedPrintable: z
      .boolean()
      .default(false)
      .meta(doc('Keep a work order printable from cache after GoldLeaf takes it out of released state.', false)),
  })
  .prefault({});

const queueSchema = z
  .strictObject({
    retryBaseMs: ms(2000, 'First wait before trying a job again when its printer could not be reached (nothing was sent).', 2000),
    retryMaxMs: ms(60_000, 'Longest wait between tries while a printer is offline.', 60000),
    duplicateWindowSec: z
      .number()
      .int()
      .min(0)
      .max(600)
      .default(10)
      .meta(doc('The same print request from the same caller within this many seconds gets the job already made (a double tap prints once); "force": true prints it again.', 10)),
    holdPollMs: ms(2000, 'How often a printer that is not ready (out of labels, head open, paused) is asked again while a job waits for it.', 2000),
    expireAfterMin: z.number().int().min(1).max(10_080).default(480).meta(doc('A job still waiting for its printer after this long expires instead of printing unexpectedly later.', 480)),
  })
  .prefault({});

const autoPrintRule = z.strictObject({
  printer: z.string().min(1).meta(doc('Printer id to queue on.', 'tags')),
  document: z.enum(['labels', 'datasheet', 'traveler', 'marken', 'pts']).meta(doc('What to print for each released work order: labels are per line.', 'labels')),
  template: z.string().min(1).optional().meta(doc('Label template for labels.', 'hose-tag')),
});

const autoPrintSchema = z
  .strictObject({
    enabled: z.boolean().default(false).meta(doc('Queue documents by themselves when GoldLeaf releases a work order.', false)),
    rules: z.array(autoPrintRule).default([]).meta(doc('What to queue, and where, for each newly released work order.', [{ printer: 'tags', document: 'labels', template: 'hose-tag' }])),
  })
  .prefault({});

/** An IPv4 address or network (a.b.c.d or a.b.c.d/n). */
export const ipv4Network = z.string().refine((v) => parseIpv4Network(v) !== undefined, 'expected an IPv4 address or network, like 192.168.1.50 or 192.168.1.0/24');

export const listenSchema = z.strictObject({
  address: z
    .string()
    .refine((v) => ipv4ToNumber(v) !== undefined, 'expected an IPv4 address of this PC (or 0.0.0.0 for all)')
    .meta(doc('Address of this PC to listen on: the LAN side, never a public one.', '192.168.1.20')),
  port: z.number().int().min(1024).max(65535).meta(doc('TCP port (9100 is the usual one for a printer; any free port from 1024).', 9101)),
  allow: z.array(ipv4Network).min(1).meta(doc('Who may send: addresses or networks. Anyone else is refused at once.', ['192.168.1.0/24'])),
  maxBytes: z
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(8 * 1024 * 1024)
    .meta(doc('Largest job one connection may send; past it the connection is cut and nothing of it is printed.', 8388608)),
  idleSec: z.number().int().min(1).max(600).default(10).meta(doc('A connection silent this long ends its job (most senders close it themselves).', 10)),
  foreign: z
    .enum(['strip', 'refuse'])
    .default('strip')
    .meta(doc('Printer-changing commands in received ZPL (~JR reset, ^JU save settings, ~WC configuration label, ~SD, ~JC, …): strip them and print the rest, or refuse the whole job.', 'strip')),
});

/** What a printer can be set to be for (its entry's `for`). */
export const PRINTER_USES = ['labels', 'datasheets', 'traveler', 'marken', 'pts', 'goldleaf-labels'] as const;
export type PrinterUse = (typeof PRINTER_USES)[number];

/** A printer's id: short, for URLs, the queue and history. */
export const PRINTER_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;

export const printerEntrySchema = z.strictObject({
  id: z
    .string()
    .regex(PRINTER_ID, 'expected lower-case letters, digits and dashes, at most 32')
    .meta(doc('Short id used in the API, the queue and history.', 'tags')),
  name: z.string().min(1).max(60).optional().meta(doc('Name shown on the kiosk.', 'Tag printer (Zebra ZD421)')),
  driver: z.string().min(1).meta(doc('Driver from printers/ (see the README for the list).', 'folder')),
  uri: z.string().min(1).meta(doc('Address of the device, checked by the driver.', 'file:///srv/marken-hotfolder')),
  dpmm: z.union([z.literal(8), z.literal(12), z.literal(24)]).default(8).meta(doc('Print resolution in dots per mm (8 = 203 dpi, 12 = 300 dpi, 24 = 600 dpi).', 8)),
  media: z
    .strictObject({
      widthMm: z.number().positive().max(300).meta(doc('Media width in mm.', 76)),
      heightMm: z.number().positive().max(2000).meta(doc('Media length in mm (label height).', 25)),
    })
    .optional()
    .meta(doc('Media loaded in the printer.', { widthMm: 76, heightMm: 25 })),
  options: z.record(z.string(), z.unknown()).default({}).meta(doc('Driver-specific settings, checked by the driver.', { formats: ['file'], create: false })),
  for: z
    .array(z.enum(PRINTER_USES))
    .min(1)
    .optional()
    .meta(
      doc(
        "What the printer is for, where it is not for everything its formats take: the kiosk sends it only these, and the station refuses the rest for it (a PTS file is not sent to the Marken machine's hot folder). labels: tags, labels and tests of templates; datasheets: a work order's, an assembly's, a kit's.",
        ['marken'],
      ),
    ),
  listen: listenSchema.optional().meta(
    doc('Off unless set: the station takes raw print data for this printer from the LAN (like a printer on port 9100) and queues it.', {
      address: '192.168.1.20',
      port: 9101,
      allow: ['192.168.1.0/24'],
    }),
  ),
});
export type PrinterEntry = z.infer<typeof printerEntrySchema>;

const scope = z.enum(['read', 'print', 'admin']);
const tokenSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/i, 'expected letters, digits, dashes or underscores').meta(doc('Who uses the token; shown in history.', 'erp')),
  token: z
    .string()
    .min(24, 'a token needs at least 24 characters')
    .optional()
    .meta(doc('The bearer secret. Prefer the environment variable BENCHPRINT_TOKEN_<NAME>.', '<at least 24 random characters>')),
  scopes: z.array(scope).min(1).default(['read', 'print']).meta(doc('What the token may do: read, print, admin.', ['read', 'print'])),
});

const authSchema = z
  .strictObject({
    tokens: z.array(tokenSchema).default([]).meta(doc('Bearer tokens for the LAN API.', [{ name: 'erp', scopes: ['read', 'print'] }])),
    anonymousRead: z
      .boolean()
      .default(false)
      .meta(doc('Let anyone on the LAN read the API and the kiosk pages (work orders, customers, POs, history) without a token. Off: they get /healthz, /readyz and the API document only. Changes always need a token or a kiosk.', false)),
    rateLimitPerMinute: z
      .number()
      .int()
      .min(10)
      .max(100_000)
      .default(600)
      .meta(doc('Requests a minute each token (or each address without one) may make to the API; the kiosk on this PC is not limited.', 600)),
    adminPin: z
      .string()
      .regex(/^[0-9]{4,12}$/, 'expected 4 to 12 digits')
      .optional()
      .meta(doc("PIN for admin actions on the kiosk (cancel others' jobs, pause or move a queue). After 5 wrong PINs from one address it is locked for 30 s, doubling with each further wrong one (up to an hour). Environment: BENCHPRINT_ADMIN_PIN.", '4711')),
    kioskAddresses: z
      .array(z.ipv4().or(z.ipv6()))
      .default([])
      .meta(doc('Kiosk devices on the LAN (e.g. a Raspberry Pi at the bench) whose browser may use the kiosk, and print from it, without a token; this PC always may.', ['192.168.1.40'])),
  })
  .prefault({});

const routingRule = z.strictObject({
  field: z.string().min(1).meta(doc('A field of the work order, e.g. customer.name, number or description.', 'customer.name')),
  equals: z.string().optional().meta(doc('The field is exactly this (no case).', 'Hydraulik Müller GmbH')),
  matches: z
    .string()
    .refine((v) => {
      try {
        new RegExp(v, 'i');
        return true;
      } catch {
        return false;
      }
    }, 'expected a regular expression')
    .optional()
    .meta(doc('The field matches this regular expression (no case).', '^WO-24')),
  bench: z.string().min(1).meta(doc('The bench (shop.benchId) that prints it.', 'bench-2')),
});

const shopSchema = z
  .strictObject({
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\/[^\s]+$/, 'expected postgres://user:password@host:5432/database')
      .optional()
      .meta(doc('The shop ledger (PostgreSQL 15+). Holds a password: prefer the environment variable BENCHPRINT_SHOP_DATABASE_URL.', 'postgres://benchprint:<password>@office-server:5432/benchprint')),
    benchId: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/i, 'expected letters, digits, dashes or underscores')
      .meta(doc("This bench's id in the shop, unique per bench.", 'bench-2')),
    serialBlock: z.number().int().min(10).max(100_000).default(1000).meta(doc('Serial numbers leased from the ledger at a time.', 1000)),
    serialReserve: z
      .number()
      .int()
      .min(10)
      .max(1_000_000)
      .default(2000)
      .meta(doc('Serial numbers the bench keeps leased ahead of need: what it can print while the ledger is unreachable.', 2000)),
    connectTimeoutMs: ms(3000, 'How long to wait for the ledger to answer before counting it unreachable.', 3000),
    routing: z
      .strictObject({
        defaultBench: z.string().optional().meta(doc('The bench that auto-prints a released work order no rule sends elsewhere. None: the first bench to claim it.', 'bench-1')),
        rules: z.array(routingRule).default([]).meta(doc('Which bench auto-prints which released work orders; the first rule that matches decides.', [{ field: 'customer.name', matches: 'müller', bench: 'bench-2' }])),
      })
      .prefault({}),
  })
  .optional()
  .meta(doc('Several benches, one shop: a shared ledger on PostgreSQL (serials, history, reprints, release routing). Absent: this station keeps everything to itself.', undefined));

export const configSchema = z.strictObject({
  $schema: z.string().optional().meta(doc('Optional JSON schema reference for editors.', './config.schema.json')),
  station: stationSchema,
  server: serverSchema,
  log: logSchema,
  goldleaf: goldleafSchema,
  sync: syncSchema,
  printers: z.array(z.unknown()).default([]).meta(doc('Printers and hot folders; each entry is checked on its own (see printers[]).', [])),
  auth: authSchema,
  queue: queueSchema,
  shop: shopSchema,
  autoPrint: autoPrintSchema,
});

export type StationConfig = z.infer<typeof configSchema>;
export type GoldleafConfig = StationConfig['goldleaf'];
export type SyncConfig = StationConfig['sync'];
export type ApiToken = z.infer<typeof tokenSchema>;
export type QueueConfig = StationConfig['queue'];
export type AutoPrintConfig = StationConfig['autoPrint'];
export type ShopConfig = NonNullable<StationConfig['shop']>;
