import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHfTokenizer, type HfTokenizer } from '../../../core/models/hf-tokenizer.js';
import { TrellisError } from '../../../core/errors.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const tokenizerDir = path.resolve(repoRoot, '../shared/models/all-MiniLM-L6-v2-tokenizer');
const CLS = 101n;
const SEP = 102n;

/** Splits a row-major [batch, sequence] array into one array per row. */
function rows(data: BigInt64Array, [batchSize, sequenceLength]: readonly [number, number]): bigint[][] {
  return Array.from({ length: batchSize }, (_, row) => [...data.subarray(row * sequenceLength, (row + 1) * sequenceLength)]);
}

describe('loadHfTokenizer (BERT WordPiece, all-MiniLM-L6-v2)', () => {
  let tokenizer: HfTokenizer;
  beforeAll(async () => {
    tokenizer = await loadHfTokenizer(tokenizerDir);
  });

  it('reads the limits and special tokens from the tokenizer files', () => {
    expect({
      modelMaxLength: tokenizer.modelMaxLength,
      padTokenId: tokenizer.padTokenId,
      specialTokenCount: tokenizer.specialTokenCount,
    }).toEqual({ modelMaxLength: 512, padTokenId: 0, specialTokenCount: 2 });
  });

  it('wraps a text in [CLS] … [SEP] through the tokenizer’s post-processor', () => {
    const batch = tokenizer.encodeBatch(['Hello world'], { maxLength: 512 });
    expect(batch.dims).toEqual([1, 4]);
    expect([...batch.tensors.input_ids]).toEqual([CLS, 7592n, 2088n, SEP]);
    expect([...batch.tensors.attention_mask]).toEqual([1n, 1n, 1n, 1n]);
    expect([...batch.tensors.token_type_ids]).toEqual([0n, 0n, 0n, 0n]);
    expect(batch.tokenCounts).toEqual([4]);
  });

  it('truncates to maxLength and keeps [SEP] last', () => {
    const long = 'retrieval augmented generation '.repeat(40);
    const batch = tokenizer.encodeBatch([long], { maxLength: 16 });
    const [ids] = rows(batch.tensors.input_ids, batch.dims);
    expect(batch.dims).toEqual([1, 16]);
    expect(ids?.[0]).toBe(CLS);
    expect(ids?.at(-1)).toBe(SEP);
    expect(batch.tokenCounts).toEqual([16]);
  });

  it('pads every row to the longest with id 0 and mask 0', () => {
    const batch = tokenizer.encodeBatch(['Hello world', 'Hello brave new world of tokens'], { maxLength: 512 });
    const [shortIds, longIds] = rows(batch.tensors.input_ids, batch.dims);
    const [shortMask, longMask] = rows(batch.tensors.attention_mask, batch.dims);
    const sequenceLength = batch.dims[1];
    expect(batch.tokenCounts[1]).toBe(sequenceLength);
    expect(shortIds).toEqual([CLS, 7592n, 2088n, SEP, ...Array<bigint>(sequenceLength - 4).fill(0n)]);
    expect(shortMask).toEqual([1n, 1n, 1n, 1n, ...Array<bigint>(sequenceLength - 4).fill(0n)]);
    expect(longMask).toEqual(Array<bigint>(sequenceLength).fill(1n));
    expect(longIds?.at(-1)).toBe(SEP);
  });

  it('rejects a maxLength that leaves no room for text', () => {
    expect(() => tokenizer.encodeBatch(['Hello'], { maxLength: 2 })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});

describe('HfTokenizer.encodePairs (BERT pair template)', () => {
  let tokenizer: HfTokenizer;
  beforeAll(async () => {
    tokenizer = await loadHfTokenizer(tokenizerDir);
  });

  it('counts the special tokens of the pair template', () => {
    expect(tokenizer.pairSpecialTokenCount).toBe(3);
  });

  it('encodes [CLS] query [SEP] passage [SEP] with token types 0 then 1', () => {
    const batch = tokenizer.encodePairs([{ first: 'Hello', second: 'world' }], { maxLength: 512 });
    expect(batch.dims).toEqual([1, 5]);
    expect([...batch.tensors.input_ids]).toEqual([CLS, 7592n, SEP, 2088n, SEP]);
    expect([...batch.tensors.token_type_ids]).toEqual([0n, 0n, 0n, 1n, 1n]);
    expect([...batch.tensors.attention_mask]).toEqual([1n, 1n, 1n, 1n, 1n]);
  });

  it('pads pairs with type 0 and mask 0', () => {
    const batch = tokenizer.encodePairs(
      [
        { first: 'Hello', second: 'world' },
        { first: 'Hello', second: 'brave new world' },
      ],
      { maxLength: 512 },
    );
    const [shortTypes] = rows(batch.tensors.token_type_ids, batch.dims);
    const [shortMask] = rows(batch.tensors.attention_mask, batch.dims);
    expect(batch.dims).toEqual([2, 7]);
    expect(shortTypes).toEqual([0n, 0n, 0n, 1n, 1n, 0n, 0n]);
    expect(shortMask).toEqual([1n, 1n, 1n, 1n, 1n, 0n, 0n]);
  });

  it('truncates the passage first and keeps both [SEP]s', () => {
    const passage = 'retrieval augmented generation '.repeat(40);
    const batch = tokenizer.encodePairs([{ first: 'Hello world', second: passage }], { maxLength: 16 });
    const [ids] = rows(batch.tensors.input_ids, batch.dims);
    expect(batch.dims).toEqual([1, 16]);
    expect(ids?.slice(0, 4)).toEqual([CLS, 7592n, 2088n, SEP]);
    expect(ids?.at(-1)).toBe(SEP);
  });

  it('keeps half the room for the passage when the query is too long', () => {
    const query = 'hello '.repeat(40);
    const batch = tokenizer.encodePairs([{ first: query, second: 'world '.repeat(40) }], { maxLength: 23 });
    const [types] = rows(batch.tensors.token_type_ids, batch.dims);
    // 20 tokens of room: 10 query tokens, 10 passage tokens, plus [CLS] [SEP] [SEP].
    expect(types?.filter((type) => type === 1n)).toHaveLength(11);
    expect(batch.tokenCounts).toEqual([23]);
  });

  it('rejects a maxLength that leaves no room beside the pair specials', () => {
    expect(() => tokenizer.encodePairs([{ first: 'a', second: 'b' }], { maxLength: 3 })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});

describe('loadHfTokenizer failures', () => {
  it('reports a missing directory as MODEL_UNAVAILABLE', async () => {
    const error = await loadHfTokenizer(path.join(tokenizerDir, 'does-not-exist')).catch((caught: unknown) => caught);
    expect(TrellisError.isInstance(error, 'MODEL_UNAVAILABLE')).toBe(true);
  });

  it('reports a directory without tokenizer.json as MODEL_LOAD_FAILED', async () => {
    const error = await loadHfTokenizer(repoRoot).catch((caught: unknown) => caught);
    expect(TrellisError.isInstance(error, 'MODEL_LOAD_FAILED')).toBe(true);
  });
});
