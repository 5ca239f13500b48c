import { createRequire } from 'node:module';
import neo4j from 'neo4j-driver';
import { describe, expect, it } from 'vitest';
import { ALL_STATEMENTS, CYPHER, GRAPH_LABELS, GRAPH_RELATIONSHIP_TYPES, SCHEMA_STATEMENTS } from '../../../../rag/stores/graph/neo4j/cypher.js';
import { toCypherParameters } from '../../../../rag/stores/graph/neo4j/run-statement.js';

interface Diagnostic {
  readonly severity: number;
  readonly message: string;
}

/** The parts of @neo4j-cypher/language-support used here (its ESM build does not load on Node 20; its CJS does). */
interface CypherLanguageSupport {
  lintCypherQuery(query: string, dbSchema: { labels?: string[]; relationshipTypes?: string[]; parameters?: Record<string, unknown> }): Diagnostic[];
  parseParameters(query: string, consoleCommandsEnabled: boolean): string[];
}
const cypher = createRequire(import.meta.url)('@neo4j-cypher/language-support') as CypherLanguageSupport;

/**
 * Neo4j's own parser and semantic analysis (the one its editors use), told the store's labels, relationship types
 * and the parameters the statement declares: syntax errors, undefined variables or parameters, mismatched UNION
 * columns and unknown labels all come back as diagnostics.
 */
function validate(text: string, parameters: readonly string[]): string[] {
  const diagnostics = cypher.lintCypherQuery(text, {
    labels: [...GRAPH_LABELS],
    relationshipTypes: [...GRAPH_RELATIONSHIP_TYPES],
    parameters: Object.fromEntries(parameters.map((name) => [name, null])),
  });
  return diagnostics.map((diagnostic) => `${diagnostic.severity === 1 ? 'error' : 'warning'}: ${diagnostic.message}`);
}

describe('the Neo4j graph store\'s Cypher', () => {
  it.each(ALL_STATEMENTS.map((statement) => [statement.name, statement] as const))('%s parses and lints clean', (_name, statement) => {
    expect(validate(statement.text, statement.parameters)).toEqual([]);
  });

  it.each(ALL_STATEMENTS.map((statement) => [statement.name, statement] as const))('%s uses exactly the parameters it declares', (_name, statement) => {
    expect(new Set(cypher.parseParameters(statement.text, false))).toEqual(new Set(statement.parameters));
  });

  it('scopes every data statement by tenant and knowledge base', () => {
    for (const statement of Object.values(CYPHER)) {
      expect(statement.text, statement.name).toContain('tenantId: $tenantId, kbId: $kbId');
      expect(statement.parameters, statement.name).toEqual(expect.arrayContaining(['tenantId', 'kbId']));
    }
    for (const statement of SCHEMA_STATEMENTS) expect(statement.text).toMatch(/^CREATE (CONSTRAINT|INDEX) trellis_\w+ IF NOT EXISTS /);
  });

  it('the validation catches broken statements, so the checks above can fail', () => {
    expect(validate('MATCH (n:Entity {key: $key} RETURN n', ['key'])).toEqual([expect.stringMatching(/^error: Invalid input 'RETURN'/)]);
    expect(validate('MATCH (n:Entity) RETURN m', [])).toEqual([expect.stringMatching(/^error: Variable `m` not defined/)]);
    expect(validate('MATCH (n:Entity {key: $key}) RETURN n', [])).toEqual(['error: Parameter $key is not defined.']);
    expect(validate('MATCH (n:Entitty) RETURN n', [])).toEqual([expect.stringMatching(/^warning: Label Entitty is not present/)]);
    expect(validate('MATCH (n)-[:RELATED]->() RETURN n', [])).toEqual([expect.stringMatching(/^warning: Relationship type RELATED is not present/)]);
    expect(validate('MATCH (n:Entity) RETURN n.key AS key UNION MATCH (n:Entity) RETURN n.key AS id', []))
      .toEqual(['error: All sub queries in an UNION must have the same return column names']);
  });
});

describe('toCypherParameters', () => {
  const scope = { tenantId: 't', kbId: 'kb' };

  it('sends declared integers as Neo4j integers and leaves other numbers (weights) as floats', () => {
    const parameters = toCypherParameters(CYPHER.dropEntities, { ...scope, batch: 10_000 });
    expect(neo4j.isInt(parameters.batch)).toBe(true);
    expect((parameters.batch as ReturnType<typeof neo4j.int>).toNumber()).toBe(10_000);
    const mentions = [{ key: 'a', chunkId: 'c', name: 'A', type: 'x', description: '', weight: 1 }];
    const created = toCypherParameters(CYPHER.createEntityMentions, { ...scope, documentId: 'd', mentions });
    expect(created.mentions).toEqual(mentions);
    expect(typeof (created.mentions as typeof mentions)[0]!.weight).toBe('number');
  });

  it('refuses a non-integer where an integer is declared', () => {
    for (const batch of [2.5, Number.NaN, 2 ** 60, '10']) {
      expect(() => toCypherParameters(CYPHER.dropEntities, { ...scope, batch })).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
    }
  });

  it('refuses parameters a statement does not declare, and declared ones left out', () => {
    expect(() => toCypherParameters(CYPHER.revision, { ...scope, extra: 1 } as typeof scope)).toThrow(/unknown parameters \[extra\]/);
    expect(() => toCypherParameters(CYPHER.revision, { tenantId: 't' } as typeof scope)).toThrow(/missing \[kbId\]/);
  });
});
