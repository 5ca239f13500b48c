import { z } from 'zod';

/** A tool's input schema for the registry, and whether it checks anything. */
export interface ConvertedInputSchema {
  readonly schema: z.ZodObject;
  /** False when the server's JSON Schema could not be expressed in zod: arguments then pass to it unchecked. */
  readonly checked: boolean;
  /** Why it is unchecked, for the server's status. */
  readonly problem?: string;
}

/**
 * Turns an MCP tool's JSON Schema into the zod object the registry validates with (and shows the model, through
 * `toLangChainTool`), so a mounted tool takes the same validation path as every other tool.
 *
 * Draft-07 schemas (what zod-to-json-schema and most servers emit) keep shared parts under `definitions`; zod reads
 * 2020-12's `$defs`, so those references are rewritten first. A schema zod cannot express, or whose top level is
 * not an object, falls back to "any object": the server still validates its own input.
 */
export function inputSchemaOf(jsonSchema: Record<string, unknown>): ConvertedInputSchema {
  try {
    const converted = z.fromJSONSchema(withDefsAt2020Location(jsonSchema) as Parameters<typeof z.fromJSONSchema>[0]);
    if (converted instanceof z.ZodObject) return { schema: converted, checked: true };
    return { schema: z.looseObject({}), checked: false, problem: 'its input schema is not a plain object schema' };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { schema: z.looseObject({}), checked: false, problem: `its input schema could not be read (${reason})` };
  }
}

function withDefsAt2020Location(schema: Record<string, unknown>): Record<string, unknown> {
  if (!('definitions' in schema) || '$defs' in schema) return schema;
  const { definitions, ...rest } = schema;
  const text = JSON.stringify({ ...rest, $defs: definitions }).replaceAll('"#/definitions/', '"#/$defs/');
  return JSON.parse(text) as Record<string, unknown>;
}
