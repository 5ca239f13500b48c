import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFastBertNormalizer } from '../../../../core/models/fast-bert-normalizer.js';
import { loadHfTokenizer } from '../../../../core/models/hf-tokenizer.js';
import { sharedDir, sharedModel } from '../../../helpers/paths.js';

const CONFIGS = [
  { clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true }, // MiniLM, BERT uncased
  { clean_text: true, handle_chinese_chars: true, strip_accents: false, lowercase: true }, // the GloVe test model
  { clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: false }, // BERT cased
  { clean_text: false, handle_chinese_chars: false, strip_accents: true, lowercase: false },
] as const;

const MINILM_JSON = () => JSON.parse(readFileSync(sharedModel('all-MiniLM-L6-v2-tokenizer', 'tokenizer.json'), 'utf8')) as Record<string, unknown>;

/** The library's own BertNormalizer with `config`, as a tokenizer built from that tokenizer.json holds it. */
const libraryNormalizer = (config: (typeof CONFIGS)[number]) => {
  const { normalizer } = new Tokenizer({ ...MINILM_JSON(), normalizer: { type: 'BertNormalizer', ...config } }, {});
  return (text: string) => normalizer!.normalize(text);
};

/** Real text in several scripts: HotpotQA's Wikipedia paragraphs, PubMedQA abstracts, RGB's web snippets. */
function sharedTexts(): string[] {
  const datasets = path.join(sharedDir, 'datasets');
  const hotpot = JSON.parse(readFileSync(path.join(datasets, 'hotpotqa-train-sample100', 'hotpotqa_train_corpus.json'), 'utf8')) as Record<string, string[]>;
  const pubmed = JSON.parse(readFileSync(path.join(datasets, 'pubmedqa-pqal-nontest500', 'pqal_nontest500.json'), 'utf8')) as Record<string, { CONTEXTS: string[] }>;
  const rgb = readFileSync(path.join(datasets, 'rgb-en-fact', 'en_fact.json'), 'utf8').split('\n').filter((line) => line.trim() !== '');
  return [
    ...Object.entries(hotpot).map(([title, sentences]) => `${title}\n${sentences.join(' ')}`),
    ...Object.values(pubmed).map((item) => item.CONTEXTS.join('\r\n')),
    ...rgb,
  ];
}

describe('createFastBertNormalizer', () => {
  it.each(CONFIGS)('gives what the library gives on real corpora (%o)', (config) => {
    const texts = sharedTexts();
    expect(texts.length).toBeGreaterThan(1500);
    const fast = createFastBertNormalizer(config);
    const library = libraryNormalizer(config);
    for (const text of texts) expect(fast(text)).toBe(library(text));
  });

  it.each(CONFIGS)('gives what the library gives on random text from every plane, lone surrogates included (%o)', (config) => {
    const fast = createFastBertNormalizer(config);
    const library = libraryNormalizer(config);
    const hostile = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom('\u0000', '\t', '\n', '\r', '\u000b', '\u0085', '\u00a0', '\u200b', '\u2028', '\ufeff', '\ufffd', '\ud800', '\udfff', '\u4e2d', '\uf900', '\u{20000}', '\u{f0000}', '\u{e0041}', 'e\u0301', 'A', ' ') }),
    );
    fc.assert(fc.property(hostile, (text) => fast(text) === library(text)), { numRuns: 3000 });
  });

  it('leaves a BERT tokenizer loaded from disk with the tokens the library gives', async () => {
    const directory = sharedModel('all-MiniLM-L6-v2-tokenizer');
    const tokenizer = await loadHfTokenizer(directory);
    const reference = new Tokenizer(MINILM_JSON(), {});
    for (const text of [...sharedTexts().slice(0, 300), 'Café\u0000 naïve 中文\ttext \ud800']) {
      const batch = tokenizer.encodeBatch([text], { maxLength: 100_000 });
      expect([...batch.tensors.input_ids].map(Number)).toEqual(reference.encode(text).ids);
    }
  });
});
