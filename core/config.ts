import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { TrellisError } from './errors.js';
import { TrellisConfigSchema, type TrellisConfig, type TrellisConfigOverrides } from './config-schema.js';

export { TrellisConfigSchema, type TrellisConfig, type TrellisConfigOverrides } from './config-schema.js';

/**
 * The everyday variables with documented names (scripts and the README rely on them). Any other setting is
 * reachable as TRELLIS_<SECTION>__<KEY>, e.g. TRELLIS_LIMITS__REQUEST_BODY_BYTES=2097152.
 */
export const ENV_ALIASES: Readonly<Record<string, string>> = {
  TRELLIS_HOST: 'server.host',
  TRELLIS_PORT: 'server.port',
  TRELLIS_DATA_DIR: 'dataDir',
  TRELLIS_LOG_LEVEL: 'logLevel',
  TRELLIS_MODELS_DIR: 'models.dir',
  TRELLIS_CACHE_DIR: 'models.cacheDir',
  TRELLIS_MODELS_MIRROR: 'models.mirror',
  TRELLIS_THREADS: 'models.threads',
  TRELLIS_CHAT_PROVIDER: 'models.chat.provider',
  TRELLIS_CHAT_MODEL: 'models.chat.model',
  TRELLIS_CHAT_BASE_URL: 'models.chat.baseUrl',
  TRELLIS_CHAT_API_KEY: 'models.chat.apiKey',
  TRELLIS_EMBEDDING_PROVIDER: 'models.embedding.provider',
  TRELLIS_EMBEDDING_MODEL: 'models.embedding.model',
  TRELLIS_EMBEDDING_PATH: 'models.embedding.path',
  TRELLIS_CHROMA_URL: 'stores.vector.url',
  TRELLIS_TOOLS_DIR: 'tools.dir',
  TRELLIS_AGENTS_DIR: 'agents.dir',
  TRELLIS_POSTGRES_URL: 'stores.checkpoints.url',
};

/** Providers' own variables, read below every TRELLIS_* variable so that ours always win. */
const PROVIDER_VARIABLES: Readonly<Record<string, string>> = {
  OPENAI_API_KEY: 'providers.openai.apiKey',
  OPENAI_BASE_URL: 'providers.openai.baseUrl',
  ANTHROPIC_API_KEY: 'providers.anthropic.apiKey',
  ANTHROPIC_BASE_URL: 'providers.anthropic.baseUrl',
  LANGFUSE_PUBLIC_KEY: 'tracing.langfuse.publicKey',
  LANGFUSE_SECRET_KEY: 'tracing.langfuse.secretKey',
  LANGFUSE_BASE_URL: 'tracing.langfuse.baseUrl',
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'tracing.otlp.endpoint',
  NEO4J_URI: 'rag.graph.neo4j.uri',
  NEO4J_USER: 'rag.graph.neo4j.user',
  NEO4J_PASSWORD: 'rag.graph.neo4j.password',
};

const CONFIG_FILE_NAMES = ['trellis.config.json', 'trellis.config.yaml', 'trellis.config.yml'];
const SECRET_KEY = /(apiKey|secretKey|password|token)$/i;

export interface LoadConfigOptions {
  /** Settings passed in code or CLI flags: the highest precedence. */
  overrides?: TrellisConfigOverrides;
  env?: NodeJS.ProcessEnv;
  /** Where ./trellis.config.* is looked for. */
  cwd?: string;
}

type Layer = { readonly label: (key: string) => string; readonly values: Record<string, unknown> };

/**
 * Builds the configuration from its four layers and validates it once. A bad value fails here, before anything
 * starts, naming the key path, the value, the layer that set it and what is allowed.
 */
export function loadConfig(options: LoadConfigOptions = {}): TrellisConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = readConfigFile(env.TRELLIS_CONFIG, cwd);
  const layers: Layer[] = [
    { label: () => 'default', values: {} },
    ...(file ? [{ label: () => file.path, values: file.values }] : []),
    { label: (key) => envLabel(key, env), values: envValues(env) },
    { label: () => 'explicit option', values: (options.overrides ?? {}) as Record<string, unknown> },
  ];
  const merged = layers.reduce<Record<string, unknown>>((into, layer) => deepMerge(into, layer.values), {});
  const result = TrellisConfigSchema.safeParse(merged);
  if (result.success) return result.data;
  throw configError(result.error, merged, layers);
}

function readConfigFile(explicitPath: string | undefined, cwd: string) {
  const candidates = explicitPath ? [path.resolve(cwd, explicitPath)] : CONFIG_FILE_NAMES.map((n) => path.join(cwd, n));
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) {
    if (explicitPath) {
      throw new TrellisError('CONFIG_FILE_UNREADABLE', `config file ${candidates[0]} (from TRELLIS_CONFIG) does not exist`);
    }
    return undefined;
  }
  try {
    const text = readFileSync(found, 'utf8');
    const parsed: unknown = found.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    if (parsed === null || parsed === undefined) return { path: found, values: {} };
    if (typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error('the top level must be a mapping of settings');
    }
    return { path: found, values: parsed as Record<string, unknown> };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TrellisError('CONFIG_FILE_UNREADABLE', `config file ${found} cannot be read: ${reason}`, { cause: error });
  }
}

/** Turns TRELLIS_* variables into a nested object, typed by what the schema expects at each key. */
function envValues(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const assign = (variable: string, keyPath: string) => {
    const raw = env[variable];
    const keys = keyPath.split('.');
    if (raw !== undefined && raw !== '') setPath(values, keys, parseEnvValue(raw, schemaTypeAt(keys)));
  };
  for (const [variable, keyPath] of Object.entries(PROVIDER_VARIABLES)) assign(variable, keyPath);
  for (const variable of Object.keys(env)) {
    if (variable.startsWith('TRELLIS_') && variable.includes('__')) assign(variable, genericEnvPath(variable));
  }
  for (const [variable, keyPath] of Object.entries(ENV_ALIASES)) assign(variable, keyPath);
  return values;
}

function genericEnvPath(variable: string): string {
  return variable
    .slice('TRELLIS_'.length)
    .split('__')
    .map((part) => part.toLowerCase().replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase()))
    .join('.');
}

function envLabel(keyPath: string, env: NodeJS.ProcessEnv): string {
  const named = [...Object.entries(ENV_ALIASES), ...Object.entries(PROVIDER_VARIABLES)]
    .filter(([variable, aliasPath]) => aliasPath === keyPath && env[variable])
    .map(([variable]) => variable);
  const generic = Object.keys(env).filter((v) => v.startsWith('TRELLIS_') && v.includes('__') && genericEnvPath(v) === keyPath);
  return [...named, ...generic][0] ?? 'environment';
}

/**
 * Environment values are strings; only where the schema wants another type is the string converted, so an API key
 * of digits stays a string. A value that does not convert is passed on as is, and validation names it.
 */
function parseEnvValue(raw: string, expected: string | undefined): unknown {
  const trimmed = raw.trim();
  if (expected === 'number') return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : raw;
  if (expected === 'boolean') {
    if (/^(true|1|yes|on)$/i.test(trimmed)) return true;
    if (/^(false|0|no|off)$/i.test(trimmed)) return false;
    return raw;
  }
  if (expected === 'array' || expected === 'object' || expected === 'record') {
    try {
      return JSON.parse(trimmed);
    } catch {
      return raw;
    }
  }
  return raw;
}

/** The zod type name expected at a key path ('number', 'boolean', 'string', ...), or undefined for unknown keys. */
function schemaTypeAt(keys: string[]): string | undefined {
  let node: z.core.$ZodType | undefined = TrellisConfigSchema;
  for (const key of keys) {
    if (!node) return undefined;
    node = unwrap(node);
    const shape = node && node._zod.def.type === 'object' ? (node as z.core.$ZodObject)._zod.def.shape : undefined;
    node = shape?.[key];
  }
  return node ? unwrap(node)._zod.def.type : undefined;
}

function unwrap(node: z.core.$ZodType): z.core.$ZodType {
  let current = node;
  while ('innerType' in current._zod.def) current = (current._zod.def as { innerType: z.core.$ZodType }).innerType;
  return current;
}

function configError(error: z.ZodError, merged: Record<string, unknown>, layers: Layer[]): TrellisError {
  // An unknown key is reported at its own path, so the message names the misspelt setting itself.
  const problems = error.issues.flatMap((issue) => {
    const at = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ keys: [...at, key], message: 'unknown setting' }));
    }
    return [{ keys: at, message: issue.message }];
  });
  const lines = problems.map(({ keys, message }) => {
    const keyPath = keys.join('.');
    const shown = SECRET_KEY.test(keyPath) ? '"***"' : JSON.stringify(maskUrlPassword(getPath(merged, keys)));
    const source = [...layers].reverse().find((layer) => getPath(layer.values, keys) !== undefined);
    const from = source ? ` (from ${source.label(keyPath)})` : '';
    return `${keyPath || '(root)'} = ${shown ?? 'undefined'}${from}: ${message}`;
  });
  return new TrellisError('CONFIG_INVALID', `invalid configuration:\n  ${lines.join('\n  ')}`, {
    cause: error,
    details: { keys: problems.map(({ keys }) => keys.join('.')) },
  });
}

/** Connection strings carry passwords (`postgres://user:secret@host`): an error message shows the rest only. */
function maskUrlPassword(value: unknown): unknown {
  return typeof value === 'string' ? value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/i, '$1***@') : value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge(base: Record<string, unknown>, top: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(top)) {
    if (value === undefined) continue;
    const existing = out[key];
    out[key] = isPlainObject(existing) && isPlainObject(value) ? deepMerge(existing, value) : value;
  }
  return out;
}

function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

function getPath(source: unknown, keys: string[]): unknown {
  let node = source;
  for (const key of keys) {
    if (!isPlainObject(node)) return undefined;
    node = node[key];
  }
  return node;
}
