import type { OpenAPIV3 } from 'openapi-types';

/** The subset of JSON Schema that request generators read: types, properties, required names. */
export interface BodySchema {
  readonly type?: string;
  readonly nullable?: boolean;
  readonly properties?: Readonly<Record<string, BodySchema>>;
  readonly required?: readonly string[];
}

/** One operation of an OpenAPI document, as a request generator needs it. */
export interface ApiOperation {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The path template, `/keys/{keyId}`. */
  readonly path: string;
  readonly pathParams: readonly string[];
  readonly queryParams: readonly { readonly name: string; readonly type?: string }[];
  /** The `application/json` request body's schema, when the operation declares one. */
  readonly jsonBody?: BodySchema;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Every operation of an OpenAPI 3 document, so that tests cover the routes other engineers add without naming them. */
export function operationsOf(document: OpenAPIV3.Document): ApiOperation[] {
  const operations: ApiOperation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item?.[method];
      if (!operation) continue;
      const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map((parameter) =>
        resolve<OpenAPIV3.ParameterObject>(document, parameter),
      );
      const requestBody = operation.requestBody && resolve<OpenAPIV3.RequestBodyObject>(document, operation.requestBody);
      const jsonSchema = requestBody?.content['application/json']?.schema;
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name),
        queryParams: parameters
          .filter((parameter) => parameter.in === 'query')
          .map((parameter) => ({ name: parameter.name, type: schemaOf(document, parameter.schema)?.type })),
        ...(jsonSchema ? { jsonBody: schemaOf(document, jsonSchema) } : {}),
      });
    }
  }
  return operations;
}

/** The path with each `{param}` replaced by `valueOf(param)`, inserted as given (callers choose the encoding). */
export function fillPath(template: string, valueOf: (param: string) => string): string {
  return template.replace(/\{([^}]+)\}/g, (_match, name: string) => valueOf(name));
}

function schemaOf(document: OpenAPIV3.Document, schema: OpenAPIV3.SchemaObject | OpenAPIV3.ReferenceObject | undefined): BodySchema | undefined {
  if (!schema) return undefined;
  const resolved = resolve<OpenAPIV3.SchemaObject>(document, schema);
  const properties = resolved.properties
    ? Object.fromEntries(Object.entries(resolved.properties).map(([name, property]) => [name, schemaOf(document, property) ?? {}]))
    : undefined;
  return {
    ...(typeof resolved.type === 'string' ? { type: resolved.type } : {}),
    ...(resolved.nullable ? { nullable: true } : {}),
    ...(properties ? { properties } : {}),
    ...(resolved.required ? { required: resolved.required } : {}),
  };
}

function resolve<T extends object>(document: OpenAPIV3.Document, value: T | OpenAPIV3.ReferenceObject): T {
  if (!('$ref' in value)) return value;
  const target = value.$ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
  if (!target) throw new Error(`the OpenAPI document has no ${value.$ref}`);
  return resolve(document, target as T);
}
