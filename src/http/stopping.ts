// A station that is stopping has closed its listening socket, but a browser may still hold a connection from before
// (kept alive after its last answer) and send a new request on it: the kiosk's event stream, ended by the stop, opens
// again that way and the kiosk shows the station connected until the stop is over. Such requests are refused, and
// their connection closed; requests already running when the stop began finish within the grace period.
import type { MiddlewareHandler } from 'hono';
import { StationError } from '../errors.js';
import type { EventBus } from '../events.js';
import { stationErrorBody } from './errors.js';

export function refuseWhileStopping(events: EventBus): MiddlewareHandler {
  let stopping = false;
  events.on((e) => {
    if (e.type === 'station.stopping') stopping = true;
  });
  return async (c, next) => {
    if (!stopping) return next();
    const err = new StationError('STATION_STOPPING', 'The station is stopping.', { status: 503, retryable: true, hint: 'It answers again once it has started; try again in a few seconds.' });
    return c.json(stationErrorBody(err), 503, { connection: 'close', 'retry-after': '5' });
  };
}
