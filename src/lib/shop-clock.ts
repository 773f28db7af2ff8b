// The shop's wall clock: dates and times as the people at the bench read them, in the shop's time zone. Stored times
// stay UTC (ISO strings); a tag's assembly date, a datasheet's "printed" stamp and the kiosk's times are the shop's.
// A bench PC in Houston crimping at 19:30 on the 3rd makes tags dated the 3rd, not the 4th (UTC's date then).
//
// Without a configured zone the clock is the machine's own local time, read with Date's local getters. A configured
// zone is read through Intl, whose first use costs the process ~8 MB (ICU's time-zone and locale data), so only a
// station that names a zone pays for it.

/** Whether `zone` is a time zone this Node knows (an IANA name such as "America/Chicago", or "UTC"). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

type When = Date | string | number;
const two = (n: number) => String(n).padStart(2, '0');

export class ShopClock {
  private format: Intl.DateTimeFormat | undefined;

  /** `timeZone`: the one the configuration names; the machine's own when absent. */
  constructor(readonly timeZone?: string) {}

  /** "2026-12-03 19:30:05" in the shop's zone. */
  private stamp(at: When): string {
    const d = at instanceof Date ? at : new Date(at);
    if (Number.isNaN(d.getTime())) return '';
    if (!this.timeZone) return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
    this.format ??= new Intl.DateTimeFormat('en-CA', {
      timeZone: this.timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    const p: Record<string, string> = {};
    for (const { type, value } of this.format.formatToParts(d)) p[type] = value;
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
  }

  /** The shop's date: "2026-12-03". */
  date(at: When = new Date()): string {
    return this.stamp(at).slice(0, 10);
  }

  /** "2026-12-03 19:30": for papers and messages. */
  minute(at: When = new Date()): string {
    return this.stamp(at).slice(0, 16);
  }

  /** "12-03 19:30": a time in a list of this year's jobs. */
  dayAndMinute(at: When): string {
    return this.stamp(at).slice(5, 16);
  }

  /** "19:30" or, with seconds, "19:30:05". */
  time(at: When, seconds = false): string {
    return this.stamp(at).slice(11, seconds ? 19 : 16);
  }

  /** Which zone its times are in, for a message read elsewhere: the configured name, or the machine's offset ("UTC-06:00"). */
  zoneName(at: When = new Date()): string {
    if (this.timeZone) return this.timeZone;
    const offset = -(at instanceof Date ? at : new Date(at)).getTimezoneOffset();
    return `UTC${offset < 0 ? '-' : '+'}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
  }
}
