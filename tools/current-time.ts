import { z } from 'zod';
import { defineTool } from './define-tool.js';

/** True for a time zone this Node build knows (IANA names such as Europe/Paris, and UTC). */
function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** `+02:00` style offset of a zone at an instant, from the zone's own wall-clock reading of it. */
function utcOffset(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(instant);
  const name = parts.find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  // "GMT" alone means an offset of zero; otherwise it reads "GMT+05:30".
  return name === 'GMT' ? '+00:00' : name.slice(3);
}

function wallClock(instant: Date, timeZone: string): { local: string; weekday: string } {
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    hourCycle: 'h23', weekday: 'long',
  });
  const value = (type: Intl.DateTimeFormatPartTypes) =>
    format.formatToParts(instant).find((part) => part.type === type)?.value ?? '';
  return {
    local: `${value('year')}-${value('month')}-${value('day')}T${value('hour')}:${value('minute')}:${value('second')}`,
    weekday: value('weekday'),
  };
}

/**
 * `current_time` with an injectable clock (tests pin it).
 *
 * @example
 * const tool = createCurrentTimeTool({ now: () => new Date('2026-03-01T12:00:00Z') });
 */
export function createCurrentTimeTool(options: { now?: () => Date } = {}) {
  const now = options.now ?? (() => new Date());
  return defineTool({
    name: 'current_time',
    description: 'Returns the current date and time, in UTC and in the given time zone (with weekday and UTC offset).',
    schema: z.object({
      timeZone: z
        .string()
        .refine(isKnownTimeZone, { message: 'unknown time zone; use an IANA name such as Europe/Paris or UTC' })
        .default('UTC')
        .describe('IANA time zone name, e.g. "Europe/Paris" or "America/New_York"; default UTC'),
    }),
    idempotent: true,
    execute({ timeZone }) {
      const instant = now();
      return { utc: instant.toISOString(), timeZone, ...wallClock(instant, timeZone), utcOffset: utcOffset(instant, timeZone) };
    },
  });
}

export default createCurrentTimeTool();
