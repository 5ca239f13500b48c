import cliProgress from 'cli-progress';
import type { RunProgress } from './run-suite.js';

/** At most this many metrics' running means fit on the bar's line. */
const SHOWN_METRICS = 3;

/**
 * A terminal progress bar for a run (cli-progress): cases done of total, ETA, failures and the running means of
 * the first metrics. On a non-terminal stream (CI logs, a test's pipe) it prints a line every second instead of
 * redrawing, so logs still show progress.
 */
export function createRunProgressBar(stream: NodeJS.WriteStream = process.stderr): { update: (progress: RunProgress) => void; stop: () => void } {
  const bar = new cliProgress.SingleBar(
    {
      format: 'eval {bar} {value}/{total} cases | ETA {eta_formatted} | {errors} failed | {means}',
      stream,
      noTTYOutput: true,
      notTTYSchedule: 1000,
      etaBuffer: 50,
      hideCursor: stream.isTTY === true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(progress) {
      const payload = {
        errors: progress.errors,
        means: Object.entries(progress.means)
          .slice(0, SHOWN_METRICS)
          .map(([metric, mean]) => `${metric} ${mean.toFixed(3)}`)
          .join(' '),
      };
      const total = progress.total ?? progress.done;
      if (!started) {
        bar.start(total, progress.done, payload);
        started = true;
        return;
      }
      if (progress.total === undefined) bar.setTotal(total);
      bar.update(progress.done, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
