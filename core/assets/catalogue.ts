import { TrellisError } from '../errors.js';

/** What a model asset is used for; each kind has exactly one default in the catalogue. */
export type AssetKind = 'embedding' | 'reranker' | 'chat';

/** One file of an asset, pinned byte for byte. */
export interface AssetFile {
  /** Where the file lives inside the asset's folder, e.g. `onnx/model.onnx`. */
  readonly path: string;
  /** Path below the mirror base URL, pinned to a commit: `<repo>/resolve/<commit>/<path>`. */
  readonly url: string;
  /** Lower-case hex SHA-256 of the whole file. */
  readonly sha256: string;
  readonly bytes: number;
}

/** The repository an asset's files were pinned from. */
export interface AssetSource {
  /** Hugging Face repository, `owner/name`. */
  readonly repo: string;
  /** The commit every file URL is pinned to; a branch could move under the recorded hashes. */
  readonly revision: string;
  /** The repository of the original weights when `repo` is a conversion of them. */
  readonly upstream?: string;
}

interface AssetBase {
  /** Catalogue name used in settings and on the command line, e.g. `bge-small-en-v1.5`. */
  readonly name: string;
  readonly kind: AssetKind;
  readonly description: string;
  /** SPDX identifier of the weights' licence. */
  readonly license: string;
  readonly source: AssetSource;
  readonly files: readonly AssetFile[];
  /** The file a runtime loads (the ONNX graph or the GGUF); one of `files`. */
  readonly model: string;
  /** True for the one asset of its kind that Trellis uses when settings name none. */
  readonly isDefault: boolean;
}

/** A text embedder in ONNX with its Hugging Face tokenizer. */
export interface EmbeddingAsset extends AssetBase {
  readonly kind: 'embedding';
  readonly dimensions: number;
  /** How token vectors become one sentence vector. */
  readonly pooling: 'cls' | 'mean';
  /** Prepended to queries (not to passages) by asymmetric models; empty when the model needs none. */
  readonly queryPrefix: string;
  /** Most tokens per input, including special tokens. */
  readonly maxLength: number;
}

/** A cross-encoder in ONNX that scores (query, passage) pairs. */
export interface RerankerAsset extends AssetBase {
  readonly kind: 'reranker';
  readonly maxLength: number;
}

/** An instruction-tuned chat model in GGUF, run by node-llama-cpp. */
export interface ChatAsset extends AssetBase {
  readonly kind: 'chat';
  /** Longest context the model was trained for, in tokens. */
  readonly contextSize: number;
  /** Prompt format family the model was tuned on. */
  readonly chatTemplate: 'chatml' | 'llama3' | 'gemma';
}

export type AssetEntry = EmbeddingAsset | RerankerAsset | ChatAsset;

function pinned(source: AssetSource, path: string, sha256: string, bytes: number): AssetFile {
  return { path, url: `${source.repo}/resolve/${source.revision}/${path}`, sha256, bytes };
}

// Pins: bge-small from memory-graph/exocortex `Dockerfile` (`ADD --checksum=sha256:` of each file at this revision)
// and its embedder's MODEL_FILES table (same hashes, with byte sizes); the same model.onnx and tokenizer.json
// digests and sizes also appear in other public pins of BAAI/bge-small-en-v1.5@5c38ec7c (the authors re-published
// Xenova's export), which is why either repository serves identical bytes.
const BGE_SMALL: AssetSource = {
  repo: 'Xenova/bge-small-en-v1.5',
  revision: 'ea104dacec62c0de699686887e3f920caeb4f3e3',
  upstream: 'BAAI/bge-small-en-v1.5',
};

// Pins: bendyline/gezel's relevance-model catalogue (RELEVANCE_MODELS, entry `ms-marco-minilm-l6@1`), every file
// with size and SHA-256; the ONNX digest and size match other independent pins of this revision.
const MS_MARCO_MINILM: AssetSource = {
  repo: 'Xenova/ms-marco-MiniLM-L-6-v2',
  revision: 'a09144355adeed5f58c8ed011d209bf8ee5a1fec',
  upstream: 'cross-encoder/ms-marco-MiniLM-L6-v2',
};

// Pins: the official Qwen GGUF at this revision; digest and size agree across several independent public pins
// (app model catalogues and benchmark manifests that name revision 9217f5db and 491,400,032 bytes).
const QWEN25_05B: AssetSource = {
  repo: 'Qwen/Qwen2.5-0.5B-Instruct-GGUF',
  revision: '9217f5db79a29953eb74d5343926648285ec7e67',
  upstream: 'Qwen/Qwen2.5-0.5B-Instruct',
};

/** Every model asset Trellis knows, each file pinned to a commit, a SHA-256 and a size. */
export const ASSET_CATALOGUE: readonly AssetEntry[] = [
  {
    name: 'bge-small-en-v1.5',
    kind: 'embedding',
    description: 'BAAI bge-small English v1.5: 384-dimensional retrieval embeddings, ONNX fp32.',
    license: 'MIT',
    source: BGE_SMALL,
    files: [
      pinned(BGE_SMALL, 'onnx/model.onnx', '828e1496d7fabb79cfa4dcd84fa38625c0d3d21da474a00f08db0f559940cf35', 133_093_490),
      pinned(BGE_SMALL, 'tokenizer.json', 'd241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66', 711_396),
      pinned(BGE_SMALL, 'tokenizer_config.json', '9261e7d79b44c8195c1cada2b453e55b00aeb81e907a6664974b4d7776172ab3', 366),
      pinned(BGE_SMALL, 'special_tokens_map.json', 'b6d346be366a7d1d48332dbc9fdf3bf8960b5d879522b7799ddba59e76237ee3', 125),
      pinned(BGE_SMALL, 'config.json', 'fa73f90bf92c8cace1fbcb709626306f2bdbc9ea3e5b5f94b440df9b6aa56350', 683),
    ],
    model: 'onnx/model.onnx',
    isDefault: true,
    dimensions: 384,
    pooling: 'cls',
    queryPrefix: 'Represent this sentence for searching relevant passages: ',
    maxLength: 512,
  },
  {
    name: 'ms-marco-minilm-l6-v2',
    kind: 'reranker',
    description: 'MS MARCO MiniLM-L6 v2 cross-encoder for English passage reranking, ONNX int8.',
    license: 'Apache-2.0',
    source: MS_MARCO_MINILM,
    files: [
      pinned(MS_MARCO_MINILM, 'onnx/model_quantized.onnx', 'e9d8ebf845c413e981c175bfe49a3bfa9b3dcce2a3ba54875ee5df5a58639fbe', 23_143_499),
      pinned(MS_MARCO_MINILM, 'tokenizer.json', 'd241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66', 711_396),
      pinned(MS_MARCO_MINILM, 'tokenizer_config.json', '0b29c7bfc889e53b36d9dd3e686dd4300f6525110eaa98c76a5dafceb2029f53', 1_242),
      pinned(MS_MARCO_MINILM, 'config.json', 'd827779a72d27ae68cf878a6fc2e954542663fe21ca515d9f4783fc96be2d37e', 824),
    ],
    model: 'onnx/model_quantized.onnx',
    isDefault: true,
    maxLength: 512,
  },
  {
    name: 'qwen2.5-0.5b-instruct',
    kind: 'chat',
    description: 'Qwen2.5 0.5B Instruct, GGUF Q4_K_M: a small local chat model for CPUs.',
    license: 'Apache-2.0',
    source: QWEN25_05B,
    files: [
      pinned(QWEN25_05B, 'qwen2.5-0.5b-instruct-q4_k_m.gguf', '74a4da8c9fdbcd15bd1f6d01d621410d31c6fc00986f5eb687824e7b93d7a9db', 491_400_032),
    ],
    model: 'qwen2.5-0.5b-instruct-q4_k_m.gguf',
    isDefault: true,
    contextSize: 32_768,
    chatTemplate: 'chatml',
  },
];

/**
 * The catalogue entry called `name`.
 *
 * @throws TrellisError ASSET_UNKNOWN, listing the names that exist.
 */
export function findAsset(name: string, catalogue: readonly AssetEntry[] = ASSET_CATALOGUE): AssetEntry {
  const entry = catalogue.find((candidate) => candidate.name === name);
  if (entry) return entry;
  const available = catalogue.map((candidate) => candidate.name);
  const message = `model asset ${name} is not in the catalogue; available: ${available.join(', ')}`;
  throw new TrellisError('ASSET_UNKNOWN', message, { details: { name, available } });
}

/** The default asset of a kind, or undefined when the catalogue has none. */
export function defaultAsset(
  kind: AssetKind,
  catalogue: readonly AssetEntry[] = ASSET_CATALOGUE,
): AssetEntry | undefined {
  return catalogue.find((entry) => entry.kind === kind && entry.isDefault);
}

/** Total bytes of an asset's files. */
export function assetBytes(entry: AssetEntry): number {
  return entry.files.reduce((total, file) => total + file.bytes, 0);
}
