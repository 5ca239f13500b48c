import { randomUUID } from 'node:crypto';
import type { ToolCall } from '@langchain/core/messages/tool';
import type { ToolDefinition } from '@langchain/core/language_models/base';
import type { ToolChoice } from '@langchain/core/language_models/chat_models';
import { Validator } from '@langchain/core/utils/json_schema';
import type { ChatModelFunctions, GbnfJsonSchema } from 'node-llama-cpp';
import { TrellisError } from '../errors.js';

/**
 * How a call with bound tools decides between text and tool calls: `auto` lets the model choose through
 * node-llama-cpp's native function calling; `forced` constrains the output with a grammar to a call of one of
 * `toolNames`.
 */
export type ToolMode =
  | { readonly kind: 'none' }
  | { readonly kind: 'auto'; readonly tools: readonly ToolDefinition[] }
  | { readonly kind: 'forced'; readonly tools: readonly ToolDefinition[] };

type JsonObject = Readonly<Record<string, unknown>>;

const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Resolves LangChain's `tool_choice` (string, `{type: 'function', function: {name}}` or `{name}`) into a mode. */
export function resolveToolMode(tools: readonly ToolDefinition[] | undefined, toolChoice: ToolChoice | undefined): ToolMode {
  if (!tools || tools.length === 0 || toolChoice === 'none') return { kind: 'none' };
  if (toolChoice === undefined || toolChoice === 'auto') return { kind: 'auto', tools };
  if (toolChoice === 'any' || toolChoice === 'required') return { kind: 'forced', tools };
  const name = toolChoiceName(toolChoice);
  const chosen = tools.filter((tool) => tool.function.name === name);
  if (chosen.length === 0) {
    const available = tools.map((tool) => tool.function.name);
    throw new TrellisError('CONFIG_INVALID', `tool_choice names tool ${String(name)}, which is not bound; bound: ${available.join(', ')}`, {
      hint: 'Pass one of the bound tool names as tool_choice, or bind that tool with bindTools.',
      details: { toolChoice: String(name), available },
    });
  }
  return { kind: 'forced', tools: chosen };
}

function toolChoiceName(toolChoice: ToolChoice): string | undefined {
  if (typeof toolChoice === 'string') return toolChoice;
  const fn: unknown = toolChoice.function;
  if (isJsonObject(fn) && typeof fn.name === 'string') return fn.name;
  return typeof toolChoice.name === 'string' ? toolChoice.name : undefined;
}

/** The functions node-llama-cpp documents to the model and calls natively in `auto` mode. */
export function toChatModelFunctions(tools: readonly ToolDefinition[]): ChatModelFunctions {
  return Object.fromEntries(
    tools.map((tool) => [tool.function.name, {
      description: tool.function.description,
      params: toGbnfJsonSchema(tool.function.parameters),
    }]),
  );
}

/** The grammar schema of a forced call: `{name, arguments}` for exactly one of `tools`. */
export function forcedCallSchema(tools: readonly ToolDefinition[]): GbnfJsonSchema {
  const calls: GbnfJsonSchema[] = tools.map((tool) => ({
    type: 'object',
    properties: { name: { const: tool.function.name }, arguments: toGbnfJsonSchema(tool.function.parameters) },
  }));
  return calls.length === 1 && calls[0] ? calls[0] : { oneOf: calls };
}

/**
 * A system instruction telling the model what the tools of a forced call are for. It names parameters rather than
 * repeating their schema: the grammar already enforces the shape, and small contexts cannot spare the tokens.
 */
export function forcedCallInstruction(tools: readonly ToolDefinition[]): string {
  const lines = tools.map(({ function: fn }) => {
    const parameters: unknown = fn.parameters;
    const properties = isJsonObject(parameters) && isJsonObject(parameters.properties) ? parameters.properties : {};
    return `- ${fn.name}(${Object.keys(properties).join(', ')}): ${fn.description ?? ''}`;
  });
  return `Answer with a JSON call {"name", "arguments"} of one of these tools:\n${lines.join('\n')}`;
}

/** Parses the grammar-constrained text of a forced call into one validated tool call. */
export function parseForcedCall(text: string, tools: readonly ToolDefinition[]): ToolCall {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new TrellisError('MODEL_OUTPUT_INVALID', `local model produced a tool call that is not JSON: ${text.slice(0, 200)}`, {
      cause: error,
      hint: 'The answer was probably cut short: raise maxTokens.',
    });
  }
  if (!isJsonObject(parsed) || typeof parsed.name !== 'string') {
    throw new TrellisError('MODEL_OUTPUT_INVALID', `local model produced a tool call without a name: ${text.slice(0, 200)}`);
  }
  return toToolCall(parsed.name, parsed.arguments, tools);
}

/** Checks a call's arguments against its tool's full JSON schema (the grammar cannot enforce bounds or patterns). */
export function toToolCall(name: string, args: unknown, tools: readonly ToolDefinition[]): ToolCall {
  const tool = tools.find((candidate) => candidate.function.name === name);
  if (!tool) throw new TrellisError('MODEL_OUTPUT_INVALID', `local model called unknown tool ${name}`);
  const schema = tool.function.parameters as JsonObject;
  const validator = new Validator(schema, '2020-12');
  let input: unknown = args ?? {};
  let result = validator.validate(input);
  if (!result.valid && isJsonObject(input)) {
    // The grammar makes the model write every property, optional ones included; leaving out an optional one it
    // got wrong (a 0 under `minimum: 1`) is what the model would have done without the grammar.
    const required = new Set(Array.isArray(schema.required) ? schema.required : []);
    const wrong = new Set(result.errors.map((error) => error.instanceLocation.split('/')[1]));
    input = Object.fromEntries(Object.entries(input).filter(([key]) => required.has(key) || !wrong.has(key)));
    result = validator.validate(input);
  }
  if (!result.valid || !isJsonObject(input)) {
    const issues = result.errors.map((error) => `${error.instanceLocation}: ${error.error}`).join('; ');
    throw new TrellisError('MODEL_OUTPUT_INVALID', `local model called ${name} with invalid arguments: ${issues || 'not an object'}`, {
      details: { tool: name },
    });
  }
  return { id: `call_${randomUUID()}`, name, args: input, type: 'tool_call' };
}

// Values of schemas the GBNF subset cannot express (`{}`, `true`, allOf, not): the validator catches mismatches.
const ANY_VALUE: GbnfJsonSchema = {
  oneOf: [
    { type: ['string', 'number', 'boolean', 'null'] },
    { type: 'object', additionalProperties: true },
    { type: 'array' },
  ],
};

const SCALAR_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null']);
const STRING_FORMATS = new Set(['date-time', 'time', 'date']);

/**
 * Translates a JSON Schema (as zod and OpenAI tools write it) into node-llama-cpp's GBNF subset: `anyOf` becomes
 * `oneOf`, `definitions` becomes `$defs`, and keywords a grammar cannot enforce are dropped. node-llama-cpp always
 * generates every declared property, which stays valid for optional ones.
 */
export function toGbnfJsonSchema(schema: unknown): GbnfJsonSchema {
  if (!isJsonObject(schema)) return ANY_VALUE;
  const extras = {
    ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
    ...definitionsOf(schema),
  };
  if (typeof schema.$ref === 'string') {
    // The GBNF types want `#/$defs/<name>` literals; the string is checked when the grammar is built.
    return { $ref: schema.$ref.replace('#/definitions/', '#/$defs/'), ...extras } as GbnfJsonSchema;
  }
  if ('const' in schema && isScalar(schema.const)) return { const: schema.const, ...extras };
  if (Array.isArray(schema.enum) && schema.enum.every(isScalar)) return { enum: schema.enum, ...extras };
  const variants = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(variants)) return { oneOf: variants.map(toGbnfJsonSchema), ...extras };
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((type): type is 'string' => SCALAR_TYPES.has(String(type)));
    return types.length === schema.type.length ? { type: types, ...extras } : ANY_VALUE;
  }
  switch (schema.type) {
    case 'object':
      return { type: 'object', ...objectKeywords(schema), ...extras };
    case 'array':
      return { type: 'array', ...arrayKeywords(schema), ...extras };
    case 'string':
      return typeof schema.format === 'string' && STRING_FORMATS.has(schema.format)
        ? { type: 'string', format: schema.format as 'date', ...extras }
        : { type: 'string', ...pickNumbers(schema, ['minLength', 'maxLength']), ...extras };
    case 'number':
    case 'integer':
    case 'boolean':
    case 'null':
      return { type: schema.type, ...extras };
    default:
      return ANY_VALUE;
  }
}

function objectKeywords(schema: JsonObject) {
  const properties = isJsonObject(schema.properties)
    ? Object.fromEntries(Object.entries(schema.properties).map(([key, value]) => [key, toGbnfJsonSchema(value)]))
    : undefined;
  const additional = schema.additionalProperties;
  return {
    ...(properties ? { properties } : {}),
    // JSON Schema allows extra keys by default, but a property-less object must allow them or it can only be `{}`.
    additionalProperties: isJsonObject(additional) ? toGbnfJsonSchema(additional) : additional === true || !properties,
    ...pickNumbers(schema, ['minProperties', 'maxProperties']),
  };
}

function arrayKeywords(schema: JsonObject) {
  return {
    ...(isJsonObject(schema.items) ? { items: toGbnfJsonSchema(schema.items) } : {}),
    ...(Array.isArray(schema.prefixItems) ? { prefixItems: schema.prefixItems.map(toGbnfJsonSchema) } : {}),
    ...pickNumbers(schema, ['minItems', 'maxItems']),
  };
}

function definitionsOf(schema: JsonObject): { $defs?: Record<string, GbnfJsonSchema> } {
  const definitions = schema.$defs ?? schema.definitions;
  if (!isJsonObject(definitions)) return {};
  return { $defs: Object.fromEntries(Object.entries(definitions).map(([key, value]) => [key, toGbnfJsonSchema(value)])) };
}

function pickNumbers(schema: JsonObject, keys: readonly string[]): Record<string, number> {
  return Object.fromEntries(keys.flatMap((key) => (typeof schema[key] === 'number' ? [[key, schema[key]]] : [])));
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}
