import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, startCommand } from '../helpers/cli-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];
const SUITE = 'evals/suites/retrieval-cranfield.yaml';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('trellis eval from the command line', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let dataDir: string;
  const runIds: string[] = [];
  beforeAll(() => {
    temp = makeTempDir('trellis-cli-eval-');
    dataDir = path.join(temp.dir, 'data');
  });
  afterAll(() => temp.remove());

  // Keyword-only and no reranker: no sidecar to start and no model to download, so the run is about the harness.
  const env = () =>
    cleanEnv({ TRELLIS_DATA_DIR: dataDir, TRELLIS_STORES__VECTOR__PROVIDER: 'none', TRELLIS_MODELS__RERANKER__PROVIDER: 'none', TRELLIS_THREADS: '1' });
  const run = async (args: string[]) => {
    const command = startCommand('node', ['bin/trellis.js', ...args], env());
    const { code } = await command.exited;
    return { code, output: command.output() };
  };
  const runIdOf = (output: string) => /eval run ([0-9a-f-]{36})/.exec(output)![1]!;

  it('runs the Cranfield suite: a progress bar, the metrics, and an HTML report whose plots render in Chromium', async () => {
    const report = path.join(temp.dir, 'report.html');
    const result = await run(['eval', 'run', SUITE, '--limit', '12', '--out', report]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/eval [█░]+ 12\/12 cases \| ETA \d+s \| 0 failed/);
    expect(result.output).toMatch(/^ndcg@10\s+0\.\d{4}\s+± 0\.\d{4}\s+12\s+pass \(≥ 0\.25\)$/m);
    expect(result.output).toMatch(/^recall@100\s+0\.\d{4}/m);
    expect(result.output).toContain(`report: ${report}`);
    runIds.push(runIdOf(result.output));

    const screenshot = path.join(temp.dir, 'shots', 'report.png');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
      await page.goto(`file://${report}`);
      expect(await page.title()).toBe('Eval report: retrieval-cranfield');
      // Score distributions (one per metric) and the latency histogram, each with drawn bars.
      expect(await page.locator('svg.chart').count()).toBeGreaterThanOrEqual(6);
      expect(await page.locator('svg.chart rect.bar').count()).toBeGreaterThan(10);
      const box = await page.locator('svg.chart').first().boundingBox();
      expect(box!.width).toBeGreaterThan(200);
      expect(await page.locator('table.cases tr').count()).toBe(13);
      await page.screenshot({ path: screenshot, fullPage: true });
    } finally {
      await browser.close();
    }
    const png = readFileSync(screenshot);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);
  }, 120_000);

  it('gate passes an unchanged run and exits non-zero on an injected regression', async () => {
    const second = await run(['eval', 'run', SUITE, '--limit', '12', '--no-report']);
    expect(second.code, second.output).toBe(0);
    const candidate = runIdOf(second.output);
    runIds.push(candidate);

    const passed = await run(['eval', 'gate', '--baseline', runIds[0]!, '--candidate', candidate, '--max-drop', '0.02']);
    expect(passed.code, passed.output).toBe(0);
    expect(passed.output).toContain('gate passed');

    const db = new Database(path.join(dataDir, 'trellis.db'));
    try {
      db.prepare("UPDATE eval_scores SET value = value * 0.5 WHERE run_id = ? AND metric = 'ndcg@10'").run(candidate);
    } finally {
      db.close();
    }
    const failed = await run(['eval', 'gate', '--baseline', runIds[0]!, '--max-drop', '0.02']);
    expect(failed.code).toBe(1);
    expect(failed.output).toMatch(/ndcg@10 went from 0\.\d+ to 0\.\d+/);
    expect(failed.output).toContain(`error EVAL_GATE_FAILED: run ${candidate} fails the gate against ${runIds[0]}: ndcg@10`);

    const compared = await run(['eval', 'compare', runIds[0]!, candidate]);
    expect(compared.code).toBe(0);
    expect(compared.output).toMatch(/^ndcg@10\s+0\.\d{4}\s+0\.\d{4}\s+-0\.\d{4}/m);
  }, 120_000);

  it('lists runs, writes a report for a stored run, and names unknown runs with their code', async () => {
    const listed = await run(['eval', 'list']);
    expect(listed.code).toBe(0);
    for (const id of runIds) expect(listed.output).toContain(id);

    const out = path.join(temp.dir, 'again.html');
    const reported = await run(['eval', 'report', runIds[1]!.slice(0, 8), '--out', out]);
    expect(reported.code, reported.output).toBe(0);
    expect(existsSync(out)).toBe(true);

    const unknown = await run(['eval', 'report', 'ffffffff']);
    expect(unknown.code).toBe(1);
    expect(unknown.output).toContain('error EVAL_RUN_NOT_FOUND: eval run ffffffff not found');
  }, 60_000);

  it('a run killed midway resumes where it stopped, with no case run twice', async () => {
    const first = startCommand('node', ['bin/trellis.js', 'eval', 'run', SUITE, '--concurrency', '1', '--no-report'], env());
    await first.waitFor(/eval [█░]+ [1-9]\d*\/225 cases/, 90_000);
    process.kill(-first.child.pid!, 'SIGKILL');
    await first.exited;
    const runId = runIdOf(first.output());
    const db = new Database(path.join(dataDir, 'trellis.db'), { readonly: true });
    const stored = () => db.prepare('SELECT count(*) FROM eval_cases WHERE run_id = ?').pluck().get(runId) as number;
    try {
      const before = stored();
      expect(before).toBeGreaterThan(0);
      expect(before).toBeLessThan(225);

      const resumed = await run(['eval', 'run', SUITE, '--resume', runId, '--no-report']);
      expect(resumed.code, resumed.output).toBe(0);
      expect(resumed.output).toContain(`eval run ${runId} (resumed)`);
      expect(resumed.output).toMatch(new RegExp(`run ${runId} \\(retrieval-cranfield\\): 225 cases, 0 failed`));
      expect(stored()).toBe(225);
      const distinct = db.prepare('SELECT count(DISTINCT case_id) FROM eval_cases WHERE run_id = ?').pluck().get(runId);
      expect(distinct).toBe(225);
    } finally {
      db.close();
    }
  }, 180_000);
});
