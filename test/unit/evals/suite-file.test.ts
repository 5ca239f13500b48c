import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSuiteFile, parseSuite } from '../../../evals/suite/load-suite.js';
import { withOverrides } from '../../../evals/suite/resolve-suite.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

describe('suite files', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeAll(() => {
    temp = makeTempDir();
  });
  afterAll(() => temp.remove());
  const write = (name: string, text: string) => {
    const file = path.join(temp.dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('fills in defaults and resolves a relative dataset path against the suite file', async () => {
    const file = write('ok.yaml', 'name: mine\ndataset: { name: jsonl, options: { path: cases.jsonl } }\ntarget: { kind: retriever }\nmetrics: [ndcg@10, { name: regex, options: { pattern: x } }]\n');
    const suite = await loadSuiteFile(file);
    expect(suite).toEqual({
      name: 'mine',
      dataset: { name: 'jsonl', options: { path: path.join(temp.dir, 'cases.jsonl') } },
      target: { kind: 'retriever', mode: 'hybrid', topK: 100, tenant: 'default' },
      metrics: [{ name: 'ndcg@10', options: {} }, { name: 'regex', options: { pattern: 'x' } }],
      thresholds: {},
      run: { concurrency: 4, repeats: 1, seed: 0 },
    });
  });

  it('names the key at fault', async () => {
    const file = write('bad.yaml', 'name: mine\ndataset: { name: cranfield }\ntarget: { kind: retriever, topK: 0 }\nmetrics: []\nrun: { concurrency: 0 }\n');
    await expect(loadSuiteFile(file)).rejects.toMatchObject({
      code: 'EVAL_SUITE_INVALID',
      message: expect.stringMatching(/target\.topK[\s\S]*metrics[\s\S]*run\.concurrency/),
    });
  });

  it('refuses an unknown target kind, unknown keys and secrets in place of variable names', () => {
    const base = { name: 'x', dataset: { name: 'cranfield' }, metrics: ['map'] };
    expect(() => parseSuite({ ...base, target: { kind: 'shell' } }, 'inline')).toThrow(expect.objectContaining({ code: 'EVAL_SUITE_INVALID' }));
    expect(() => parseSuite({ ...base, target: { kind: 'retriever', extra: 1 } }, 'inline')).toThrow(expect.objectContaining({ code: 'EVAL_SUITE_INVALID' }));
    expect(() => parseSuite({ ...base, target: { kind: 'http', url: 'http://127.0.0.1:1', model: 'rag', apiKeyEnv: 'sk-live-123' } }, 'inline')).toThrow(
      expect.objectContaining({ code: 'EVAL_SUITE_INVALID', message: expect.stringContaining('apiKeyEnv') }),
    );
  });

  it('refuses a file that is not YAML, is missing, or is too large', async () => {
    await expect(loadSuiteFile(write('broken.yaml', 'name: [unclosed\n'))).rejects.toMatchObject({ code: 'EVAL_SUITE_INVALID' });
    await expect(loadSuiteFile(path.join(temp.dir, 'missing.yaml'))).rejects.toMatchObject({ code: 'EVAL_SUITE_INVALID' });
    await expect(loadSuiteFile(write('huge.yaml', `name: x\n# ${'y'.repeat(300_000)}\n`))).rejects.toMatchObject({
      code: 'EVAL_SUITE_INVALID',
      message: expect.stringContaining('larger than'),
    });
  });

  it('applies command-line overrides to what is stored', () => {
    const suite = parseSuite({ name: 'x', dataset: { name: 'cranfield' }, target: { kind: 'retriever' }, metrics: ['map'] }, 'inline');
    const overridden = withOverrides(suite, { limit: 5, concurrency: 2 });
    expect(overridden.dataset.options.limit).toBe(5);
    expect(overridden.run).toEqual({ concurrency: 2, repeats: 1, seed: 0 });
    expect(suite.dataset.options.limit).toBeUndefined();
  });
});
