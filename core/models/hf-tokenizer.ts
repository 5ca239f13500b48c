import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { TrellisError } from '../errors.js';
import { useFastBertNormalizer } from './fast-bert-normalizer.js';

/** Options for {@link HfTokenizer.encodeBatch}. */
export interface EncodeBatchOptions {
  /** Longest sequence kept per text, special tokens included; longer texts lose their tail, never their [SEP]. */
  readonly maxLength: number;
}

/** A batch ready for an ONNX session: every row padded to the longest one. */
export interface TokenizedBatch {
  /**
   * Row-major int64 data of shape `dims`, keyed by the ONNX input name each array feeds, so a session's
   * `inputNames` pick their tensors directly. `token_type_ids` is all zeros for single texts of most tokenizers.
   */
  readonly tensors: {
    readonly input_ids: BigInt64Array;
    readonly attention_mask: BigInt64Array;
    readonly token_type_ids: BigInt64Array;
  };
  /** `[batchSize, sequenceLength]`. */
  readonly dims: readonly [number, number];
  /** Real (unpadded) tokens per text after truncation, special tokens included. */
  readonly tokenCounts: readonly number[];
}

/** A Hugging Face `tokenizer.json` tokenizer that encodes padded, truncated batches. */
export interface HfTokenizer {
  /** `model_max_length` from tokenizer_config.json, or undefined when absent or a "no limit" sentinel. */
  readonly modelMaxLength: number | undefined;
  /** Id written into padding positions. */
  readonly padTokenId: number;
  /** Special tokens the post-processor adds around one text ([CLS] and [SEP] for BERT: 2). */
  readonly specialTokenCount: number;
  /** Special tokens the post-processor adds around a pair ([CLS] a [SEP] b [SEP] for BERT: 3). */
  readonly pairSpecialTokenCount: number;
  encodeBatch(texts: readonly string[], options: EncodeBatchOptions): TokenizedBatch;
  /**
   * Encodes (first, second) pairs, such as (query, passage) for a cross-encoder, through the tokenizer's own pair
   * template: BERT gets `[CLS] first [SEP] second [SEP]` with token_type_ids 0 then 1. When a pair is too long the
   * second text loses its tail first; the first keeps at least half the room, so a long query cannot crowd out
   * the passage entirely.
   */
  encodePairs(pairs: readonly TextPair[], options: EncodeBatchOptions): TokenizedBatch;
}

/** Two texts encoded as one sequence, e.g. a query and a passage. */
export interface TextPair {
  readonly first: string;
  readonly second: string;
}

// transformers writes int(1e30) as model_max_length when a model declares no limit.
const NO_LIMIT_SENTINEL = 1e20;

/**
 * Loads `tokenizer.json` (and `tokenizer_config.json` when present) from a model directory.
 *
 * Throws `MODEL_UNAVAILABLE` when the directory does not exist and `MODEL_LOAD_FAILED` when its tokenizer files
 * are missing or cannot be parsed.
 *
 * @example
 * const tokenizer = await loadHfTokenizer('models/bge-small-en-v1.5');
 * const batch = tokenizer.encodeBatch(['Hello world'], { maxLength: 512 });
 */
export async function loadHfTokenizer(directory: string): Promise<HfTokenizer> {
  await assertDirectoryExists(directory);
  const tokenizerPath = path.join(directory, 'tokenizer.json');
  const tokenizerJson = await readJson(tokenizerPath);
  if (tokenizerJson === undefined) {
    throw new TrellisError('MODEL_LOAD_FAILED', `tokenizer file ${tokenizerPath} does not exist`, {
      details: { path: tokenizerPath },
    });
  }
  const config = (await readJson(path.join(directory, 'tokenizer_config.json'))) ?? {};
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(tokenizerJson, config);
  } catch (error) {
    throw new TrellisError('MODEL_LOAD_FAILED', `cannot build a tokenizer from ${tokenizerPath}`, {
      cause: error,
      details: { path: tokenizerPath },
    });
  }
  useFastBertNormalizer(tokenizer, tokenizerJson);
  return createHfTokenizer(tokenizer, tokenizerJson, config);
}

function createHfTokenizer(tokenizer: Tokenizer, tokenizerJson: object, config: object): HfTokenizer {
  // Tokenizer.encode resolves added tokens ([CLS], <s>) before the model vocabulary; so does tokenToId.
  const addedTokenIds = new Map<string, number>();
  for (const [id, token] of tokenizer.get_added_tokens_decoder()) addedTokenIds.set(token.content, id);
  const lookup = (token: string): number | undefined => addedTokenIds.get(token) ?? tokenizer.token_to_id(token);
  const padTokenId = findPadTokenId(tokenizerJson, config, lookup);
  const unknownTokenId = tokenizer.model?.unk_token_id ?? padTokenId;
  const tokenToId = (token: string): number => lookup(token) ?? unknownTokenId;

  const postProcessor = tokenizer.post_processor;
  const specialTokenCount = postProcessor ? postProcessor.post_process([], null, true).tokens.length : 0;
  const pairSpecialTokenCount = postProcessor ? postProcessor.post_process([], [], true).tokens.length : 0;
  const modelMaxLength = readPositiveNumber(config, 'model_max_length');

  const checkMaxLength = (maxLength: number, specials: number): void => {
    if (!Number.isInteger(maxLength) || maxLength <= specials) {
      throw new TrellisError(
        'CONFIG_INVALID',
        `maxLength ${maxLength} leaves no room for text beside ${specials} special tokens`,
        { details: { maxLength, specialTokenCount: specials } },
      );
    }
  };
  // The JS tokenizers library ignores tokenizer.json's truncation, so truncate the texts' own tokens and only
  // then let the post-processor wrap them: the [SEP] a BERT model expects survives truncation.
  const wrap = (first: string[], second: string[] | null): EncodedRow => {
    if (!postProcessor) return { ids: [...first, ...(second ?? [])].map(tokenToId), typeIds: undefined };
    const processed = postProcessor.post_process(first, second, true);
    return { ids: processed.tokens.map(tokenToId), typeIds: processed.token_type_ids };
  };

  return {
    modelMaxLength: modelMaxLength !== undefined && modelMaxLength < NO_LIMIT_SENTINEL ? modelMaxLength : undefined,
    padTokenId,
    specialTokenCount,
    pairSpecialTokenCount,
    encodeBatch(texts, { maxLength }) {
      checkMaxLength(maxLength, specialTokenCount);
      const rows = texts.map((text) => wrap(tokenizer.tokenize(text).slice(0, maxLength - specialTokenCount), null));
      return padRows(rows, padTokenId);
    },
    encodePairs(pairs, { maxLength }) {
      checkMaxLength(maxLength, pairSpecialTokenCount);
      const room = maxLength - pairSpecialTokenCount;
      const rows = pairs.map(({ first, second }) => {
        const firstTokens = tokenizer.tokenize(first);
        const secondTokens = tokenizer.tokenize(second);
        const firstKept = Math.min(firstTokens.length, Math.max(room - secondTokens.length, Math.floor(room / 2)));
        return wrap(firstTokens.slice(0, firstKept), secondTokens.slice(0, room - firstKept));
      });
      return padRows(rows, padTokenId);
    },
  };
}

/** One encoded sequence before padding; `typeIds` is undefined when the tokenizer has no post-processor. */
interface EncodedRow {
  readonly ids: readonly number[];
  readonly typeIds: readonly number[] | undefined;
}

function padRows(rows: readonly EncodedRow[], padTokenId: number): TokenizedBatch {
  // At least one column: a batch of empty texts on a tokenizer without specials still needs a valid shape.
  const sequenceLength = Math.max(1, ...rows.map((row) => row.ids.length));
  const size = rows.length * sequenceLength;
  const inputIds = new BigInt64Array(size).fill(BigInt(padTokenId));
  const attentionMask = new BigInt64Array(size);
  const tokenTypeIds = new BigInt64Array(size);
  rows.forEach((row, rowIndex) => {
    const offset = rowIndex * sequenceLength;
    row.ids.forEach((id, column) => {
      inputIds[offset + column] = BigInt(id);
      attentionMask[offset + column] = 1n;
      tokenTypeIds[offset + column] = BigInt(row.typeIds?.[column] ?? 0);
    });
  });
  return {
    tensors: { input_ids: inputIds, attention_mask: attentionMask, token_type_ids: tokenTypeIds },
    dims: [rows.length, sequenceLength],
    tokenCounts: rows.map((row) => row.ids.length),
  };
}

function findPadTokenId(
  tokenizerJson: object,
  config: object,
  lookup: (token: string) => number | undefined,
): number {
  const padding = (tokenizerJson as { padding?: { pad_id?: unknown } | null }).padding;
  if (typeof padding?.pad_id === 'number') return padding.pad_id;
  const padToken = (config as { pad_token?: unknown }).pad_token;
  // tokenizer_config.json writes special tokens either as strings or as AddedToken objects.
  const padContent =
    typeof padToken === 'string'
      ? padToken
      : typeof padToken === 'object' && padToken !== null && 'content' in padToken && typeof padToken.content === 'string'
        ? padToken.content
        : undefined;
  return (padContent === undefined ? undefined : lookup(padContent)) ?? 0;
}

function readPositiveNumber(object: object, key: string): number | undefined {
  const value = (object as Record<string, unknown>)[key];
  return typeof value === 'number' && value > 0 ? value : undefined;
}

/** Throws `MODEL_UNAVAILABLE` unless `directory` is an existing directory. */
export async function assertDirectoryExists(directory: string): Promise<void> {
  const stats = await stat(directory).catch(() => undefined);
  if (!stats?.isDirectory()) {
    throw new TrellisError('MODEL_UNAVAILABLE', `model directory ${directory} does not exist`, {
      details: { path: directory },
    });
  }
}

/** Parses a JSON object file; undefined when the file does not exist, `MODEL_LOAD_FAILED` when it is not JSON. */
export async function readJson(filePath: string): Promise<object | undefined> {
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TrellisError('MODEL_LOAD_FAILED', `cannot read ${filePath}`, { cause: error, details: { path: filePath } });
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null) return value;
  } catch (error) {
    throw new TrellisError('MODEL_LOAD_FAILED', `${filePath} is not valid JSON`, {
      cause: error,
      details: { path: filePath },
    });
  }
  throw new TrellisError('MODEL_LOAD_FAILED', `${filePath} does not hold a JSON object`, { details: { path: filePath } });
}
