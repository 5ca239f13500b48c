import type { SqliteDatabase } from '../../core/db.js';
import { TrellisError } from '../../core/errors.js';

/** A named collection of documents owned by one tenant. */
export interface KnowledgeBase {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly description: string;
  /** The embedder its vectors were made with; set by the first dense ingest, checked by every later one. */
  readonly embedder: string | null;
  readonly dimensions: number | null;
  readonly createdAt: string;
}

interface KnowledgeBaseRow {
  id: string;
  tenant_id: string;
  name: string;
  description: string;
  embedder: string | null;
  dimensions: number | null;
  created_at: string;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;

/**
 * Knowledge bases in the runtime's database. Every lookup takes the tenant: a knowledge base of another tenant is
 * reported exactly like one that does not exist, so ids cannot be probed across tenants.
 */
export class KnowledgeBases {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly generateId: () => string,
    private readonly now: () => Date,
  ) {}

  /** Returns the tenant's knowledge base called `name`, creating it when absent. */
  ensure(tenantId: string, name: string, description = ''): KnowledgeBase {
    if (!NAME.test(name)) {
      throw new TrellisError('API_BODY_INVALID', `knowledge base name ${JSON.stringify(name)} is not valid`, {
        hint: 'Use 1–64 letters, digits, dots, dashes or underscores, starting with a letter or digit.',
      });
    }
    this.db
      .prepare(
        'INSERT OR IGNORE INTO knowledge_bases (id, tenant_id, name, description, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(this.generateId(), tenantId, name, description, this.now().toISOString());
    return this.getByName(tenantId, name);
  }

  getByName(tenantId: string, name: string): KnowledgeBase {
    const row = this.db
      .prepare<[string, string], KnowledgeBaseRow>('SELECT * FROM knowledge_bases WHERE tenant_id = ? AND name = ?')
      .get(tenantId, name);
    if (!row) throw this.notFound(tenantId, name);
    return toKnowledgeBase(row);
  }

  get(tenantId: string, id: string): KnowledgeBase {
    const row = this.db
      .prepare<[string, string], KnowledgeBaseRow>('SELECT * FROM knowledge_bases WHERE tenant_id = ? AND id = ?')
      .get(tenantId, id);
    if (!row) throw this.notFound(tenantId, id);
    return toKnowledgeBase(row);
  }

  list(tenantId: string): readonly KnowledgeBase[] {
    return this.db
      .prepare<[string], KnowledgeBaseRow>('SELECT * FROM knowledge_bases WHERE tenant_id = ? ORDER BY name')
      .all(tenantId)
      .map(toKnowledgeBase);
  }

  /** Records which embedder a knowledge base's vectors come from, refusing to mix two. */
  bindEmbedder(kb: KnowledgeBase, embedder: string, dimensions: number): void {
    if (kb.embedder !== null && (kb.embedder !== embedder || kb.dimensions !== dimensions)) {
      throw new TrellisError(
        'VECTOR_DIMENSION_MISMATCH',
        `knowledge base ${kb.name} holds ${kb.embedder} vectors (${kb.dimensions} dims); the configured embedder is ${embedder} (${dimensions} dims)`,
        { details: { kb: kb.name, indexed: kb.embedder, configured: embedder } },
      );
    }
    this.db
      .prepare('UPDATE knowledge_bases SET embedder = ?, dimensions = ? WHERE id = ?')
      .run(embedder, dimensions, kb.id);
  }

  /** Forgets the embedder binding, before a reindex with another model. */
  unbindEmbedder(kb: KnowledgeBase): void {
    this.db.prepare('UPDATE knowledge_bases SET embedder = NULL, dimensions = NULL WHERE id = ?').run(kb.id);
  }

  /** Deletes the knowledge base with its documents and chunks (the caller drops its indexes). */
  delete(kb: KnowledgeBase): void {
    this.db.prepare('DELETE FROM knowledge_bases WHERE id = ?').run(kb.id);
  }

  private notFound(tenantId: string, key: string): TrellisError {
    const available = this.list(tenantId).map((kb) => kb.name);
    return new TrellisError('KB_NOT_FOUND', `knowledge base ${key} not found; available: ${available.join(', ') || 'none'}`, {
      details: { available },
    });
  }
}

function toKnowledgeBase(row: KnowledgeBaseRow): KnowledgeBase {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    description: row.description,
    embedder: row.embedder,
    dimensions: row.dimensions,
    createdAt: row.created_at,
  };
}
