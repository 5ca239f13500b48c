import type { FunctionSpec } from '../types.js';

/** The language a BFCL category's calls are written in; Java and JavaScript arguments are source-code strings. */
export type BfclLanguage = 'python' | 'java' | 'javascript';

/** A BFCL parameter description: BFCL's own type names (`dict`, `float`, `tuple`, `any`, Java's `HashMap`, ...). */
export interface BfclParameter {
  readonly type: string;
  readonly description?: string;
  readonly items?: BfclParameter;
  readonly properties?: Readonly<Record<string, BfclParameter>>;
  readonly [key: string]: unknown;
}

/** A BFCL function doc as the dataset writes it. */
export interface BfclFunction {
  readonly name: string;
  readonly description: string;
  readonly parameters: { readonly type: string; readonly properties: Readonly<Record<string, BfclParameter>>; readonly required?: readonly string[] };
}

// BFCL's own mapping from its type names to JSON Schema (GORILLA_TO_OPENAPI in its model handlers).
const JSON_SCHEMA_TYPE: Readonly<Record<string, string>> = {
  integer: 'integer', number: 'number', float: 'number', string: 'string', boolean: 'boolean', bool: 'boolean',
  array: 'array', list: 'array', dict: 'object', object: 'object', tuple: 'array', any: 'string', byte: 'integer',
  short: 'integer', long: 'integer', double: 'number', char: 'string', ArrayList: 'array', Array: 'array',
  HashMap: 'object', Hashtable: 'object', Queue: 'array', Stack: 'array', Any: 'string', String: 'string',
  Bigint: 'integer', Boolean: 'boolean',
};

/**
 * Function names as a model sees them: OpenAI-style APIs allow no dots in names (`^[a-zA-Z0-9_-]{1,64}$`), so
 * BFCL's `math.factorial` is offered as `math_factorial`, the conversion BFCL itself applies for such models.
 */
export function modelFunctionName(name: string): string {
  return name.replace(/\./g, '_');
}

/**
 * Converts a BFCL function doc to the JSON-Schema function spec a model is offered, as BFCL's handlers do: type
 * names mapped to JSON Schema; for Java and JavaScript every argument becomes a string holding source code, its
 * real type said in the description (BFCL's language-specific pre-processing).
 */
export function toFunctionSpec(doc: BfclFunction, language: BfclLanguage): FunctionSpec {
  const properties = Object.fromEntries(
    Object.entries(doc.parameters.properties).map(([name, parameter]) => [name, toParameterSchema(parameter, language)]),
  );
  return {
    name: modelFunctionName(doc.name),
    description: doc.description,
    parameters: { type: 'object', properties, required: [...(doc.parameters.required ?? [])] },
  };
}

function toParameterSchema(parameter: BfclParameter, language: BfclLanguage): Record<string, unknown> {
  if (language !== 'python') {
    const label = language === 'java' ? 'Java' : 'JavaScript';
    let description = `${parameter.description ?? ''} This is ${label} ${parameter.type} type parameter in string representation.`;
    if (parameter.items) description += ` The list elements are of type ${parameter.items.type}; they are not in string representation.`;
    return { type: 'string', description: description.trim() };
  }
  const { type, items, properties, ...rest } = parameter;
  const schema: Record<string, unknown> = { ...rest, type: JSON_SCHEMA_TYPE[type] ?? 'string' };
  if (items) schema.items = toParameterSchema(items, language);
  if (properties) {
    schema.properties = Object.fromEntries(Object.entries(properties).map(([name, inner]) => [name, toParameterSchema(inner, language)]));
  }
  return schema;
}
