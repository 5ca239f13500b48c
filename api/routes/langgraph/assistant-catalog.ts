import { createHash } from 'node:crypto';
import { TrellisError } from '../../../core/errors.js';
import type { Runtime } from '../../../runtime/create-runtime.js';

/** One assistant of the Agent Protocol: a Trellis graph or agent, under its own name. */
export interface AssistantEntry {
  /** LangGraph's id for a graph's default assistant: UUID v5 of the name, so ids match a LangGraph server's. */
  readonly id: string;
  /** The graph or agent name: the protocol's `graph_id` and `name`, and what Trellis runs. */
  readonly target: string;
  readonly kind: 'graph' | 'agent';
  readonly description: string;
}

// RFC 4122's URL namespace, which LangGraph's server derives its default assistant ids from.
const ASSISTANT_NAMESPACE = '6ba7b821-9dad-11d1-80b4-00c04fd430c8';

const GRAPH_DESCRIPTIONS: Readonly<Record<string, string>> = {
  rag: 'Answers from a knowledge base with numbered citations: retrieve, grade, answer. Needs a kb.',
  research: 'Splits a question into sub-questions, researches each in a knowledge base, and merges the cited answers. Needs a kb.',
  pipeline: 'Plans a task, carries it out and reviews the result, revising it until approved.',
};

/**
 * The assistants: every graph and agent the runtime can run, each addressable by name (as LangGraph's server
 * accepts a graph id in place of an assistant id) or by its UUID. Built once: graphs and agents are fixed at start.
 */
export class AssistantCatalog {
  private readonly entries: readonly AssistantEntry[];
  private readonly byKey = new Map<string, AssistantEntry>();

  constructor(runtime: Pick<Runtime, 'runs' | 'agents'>) {
    this.entries = runtime.runs.targets().map((target): AssistantEntry => {
      const agent = runtime.agents.has(target) ? runtime.agents.get(target) : undefined;
      return {
        id: assistantIdOf(target),
        target,
        kind: agent ? 'agent' : 'graph',
        description: agent?.description ?? GRAPH_DESCRIPTIONS[target] ?? '',
      };
    });
    for (const entry of this.entries) {
      this.byKey.set(entry.target, entry);
      this.byKey.set(entry.id, entry);
    }
  }

  list(): readonly AssistantEntry[] {
    return this.entries;
  }

  find(idOrName: string): AssistantEntry | undefined {
    return this.byKey.get(idOrName);
  }

  /** The assistant of this id or name; ASSISTANT_NOT_FOUND listing the names otherwise. */
  resolve(idOrName: string): AssistantEntry {
    const entry = this.byKey.get(idOrName);
    if (entry) return entry;
    throw new TrellisError('ASSISTANT_NOT_FOUND', `no assistant ${idOrName}; available: ${this.entries.map((known) => known.target).join(', ')}`);
  }

  /** The assistant id of a run's or thread's target. */
  idOf(target: string): string {
    return this.byKey.get(target)?.id ?? assistantIdOf(target);
  }
}

// UUID v5 (RFC 4122, section 4.3): the SHA-1 of namespace and name, with the version and variant bits set.
function assistantIdOf(name: string): string {
  const hash = createHash('sha1').update(Buffer.from(ASSISTANT_NAMESPACE.replaceAll('-', ''), 'hex')).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
