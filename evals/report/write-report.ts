import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { toTrellisError } from '../../core/errors.js';
import type { EvalResults } from '../results/results-store.js';
import { gatherReportData, type GatherReportOptions } from './report-data.js';
import { renderReport } from './render-report.js';

/** Writes a run's HTML report to `file` (its folder is created) and returns the absolute path. */
export async function writeReport(results: EvalResults, runId: string, file: string, options: GatherReportOptions = {}): Promise<string> {
  const html = renderReport(gatherReportData(results, runId, options));
  const target = path.resolve(file);
  try {
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, html, 'utf8');
  } catch (error) {
    throw toTrellisError(error, 'EVAL_REPORT_UNWRITABLE', `cannot write the report to ${target}`);
  }
  return target;
}

/** Where a report goes unless `--out` says otherwise: `<dataDir>/eval-reports/<suite>-<run id>.html`. */
export function defaultReportPath(dataDir: string, suite: string, runId: string): string {
  return path.join(path.resolve(dataDir), 'eval-reports', `${suite}-${runId}.html`);
}
