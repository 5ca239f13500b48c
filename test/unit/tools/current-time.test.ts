import { describe, expect, it } from 'vitest';
import { createCurrentTimeTool } from '../../../tools/current-time.js';
import { executeTool } from '../../../tools/execute-tool.js';
import { testLimits, toolContext } from '../../helpers/tool-context.js';

const currentTime = createCurrentTimeTool({ now: () => new Date('2026-03-01T12:30:00Z') });
const ask = (input: unknown) => executeTool(currentTime, input, toolContext(), testLimits);

describe('current_time', () => {
  it('answers in UTC by default', async () => {
    expect(await ask({})).toEqual({
      ok: true,
      output: { utc: '2026-03-01T12:30:00.000Z', timeZone: 'UTC', local: '2026-03-01T12:30:00', weekday: 'Sunday', utcOffset: '+00:00' },
    });
  });

  it('answers in an IANA time zone, with its offset at that instant', async () => {
    expect(await ask({ timeZone: 'Asia/Kolkata' })).toMatchObject({
      ok: true,
      output: { local: '2026-03-01T18:00:00', utcOffset: '+05:30', weekday: 'Sunday' },
    });
    expect(await ask({ timeZone: 'America/New_York' })).toMatchObject({
      ok: true,
      output: { local: '2026-03-01T07:30:00', utcOffset: '-05:00' },
    });
  });

  it.each(['Mars/Olympus_Mons', 'Europe/Pariss', '', '+25:00'])('refuses the time zone %j with TOOL_INPUT_INVALID', async (timeZone) => {
    expect(await ask({ timeZone })).toMatchObject({
      ok: false,
      error: { code: 'TOOL_INPUT_INVALID', issues: [{ path: 'timeZone', message: expect.stringContaining('time zone') }] },
    });
  });
});
