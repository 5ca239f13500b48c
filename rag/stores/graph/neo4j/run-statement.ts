import neo4j, { type ManagedTransaction, type Record as Neo4jRecord } from 'neo4j-driver';
import { TrellisError } from '../../../../core/errors.js';
import type { CypherStatement } from './cypher.js';

/**
 * The parameters as the driver must receive them: every declared integer becomes a Neo4j integer (a JS number
 * travels as a float, which `LIMIT` and integer properties refuse), and a parameter the statement does not declare,
 * or one it declares but is not given, fails here, before anything reaches the server.
 */
export function toCypherParameters<P extends string>(statement: CypherStatement<P>, parameters: Readonly<Record<P, unknown>>): Record<string, unknown> {
  const given = Object.keys(parameters);
  const unknown = given.filter((name) => !(statement.parameters as readonly string[]).includes(name));
  const missing = statement.parameters.filter((name) => !given.includes(name));
  if (unknown.length > 0 || missing.length > 0) {
    throw new TrellisError('INTERNAL', `Cypher statement ${statement.name}: unknown parameters [${unknown.join(', ')}], missing [${missing.join(', ')}]`);
  }
  const converted: Record<string, unknown> = { ...parameters };
  for (const name of statement.integers) {
    const value = parameters[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw new TrellisError('INTERNAL', `Cypher statement ${statement.name}: parameter ${name} must be a safe integer, got ${String(value)}`);
    }
    converted[name] = neo4j.int(value);
  }
  return converted;
}

/** Runs one of the store's statements in a managed transaction and returns its records. */
export async function runStatement<P extends string>(
  tx: ManagedTransaction,
  statement: CypherStatement<P>,
  parameters: Readonly<Record<P, unknown>>,
): Promise<Neo4jRecord[]> {
  const result = await tx.run(statement.text, toCypherParameters(statement, parameters));
  return result.records;
}

/** A Neo4j integer (counts, revisions) or a plain number as a JS number. */
export function toNumber(value: unknown): number {
  if (neo4j.isInt(value)) return value.toNumber();
  if (typeof value === 'number') return value;
  if (value === null || value === undefined) return 0;
  throw new TrellisError('INTERNAL', `expected a number from Neo4j, got ${typeof value}`);
}
