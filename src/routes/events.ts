// Live events as Server-Sent Events: job and queue changes, printer and sync news, for the kiosk and API clients.
import type { Operation } from '../http/operations.js';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AppDeps, AppEnv } from '../deps.js';
import type { StationEvent } from '../events.js';


/** What this module serves, for the OpenAPI document (the served routes are checked against it). */
export const operations: readonly Operation[] = [
  { method: 'get', path: '/api/v1/events', summary: 'Server-Sent Events: job.changed, job.progress, printer.changed, printers.configured, workorder.released, sync.completed, …', scope: 'read', produces: 'text/event-stream' },
];

export function eventRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/events', (c) =>
    streamSSE(c, async (stream) => {
      const pending: Array<StationEvent & { at: string }> = [];
      let notify: (() => void) | undefined;
      const unsubscribe = deps.events.on((event) => {
        pending.push(event);
        notify?.();
      });
      stream.onAbort(() => {
        unsubscribe();
        notify?.();
      });
      let id = 0;
      // A comment first, so proxies and browsers see the stream open at once.
      await stream.write(': benchprint events\n\n');
      while (!stream.aborted) {
        if (pending.length === 0) {
          // Wake on an event, or every 15 s for a keep-alive comment.
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 15_000);
            notify = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          notify = undefined;
          if (pending.length === 0 && !stream.aborted) await stream.write(': keep-alive\n\n');
          continue;
        }
        const event = pending.shift()!;
        await stream.writeSSE({ id: String(++id), event: event.type, data: JSON.stringify(event) });
        // The station is stopping: end the stream so the stop does not wait for it (clients reconnect by themselves).
        if (event.type === 'station.stopping') break;
      }
      unsubscribe();
    }),
  );

  return app;
}
