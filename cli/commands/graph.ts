import { Command, InvalidArgumentError } from 'commander';
import { withRuntime } from '../with-runtime.js';

interface GraphFlags {
  kb: string;
  tenant: string;
  json?: boolean;
}

/** `trellis graph stats|show <entity> --kb <name>`: look at a knowledge base's knowledge graph. */
export function createGraphCommand(): Command {
  const graph = new Command('graph').description('inspect the knowledge graph of a knowledge base (rag.graph.enabled)');
  graph.command('stats')
    .description('entities, relations and communities of the graph, and its most mentioned entities')
    .requiredOption('--kb <name>', 'knowledge base')
    .option('--tenant <id>', 'tenant that owns the knowledge base', 'default')
    .option('--top <count>', 'most mentioned entities listed', positiveInteger, 10)
    .option('--json', 'print the result as JSON')
    .action(async (flags: GraphFlags & { top: number }) => {
      const stats = await withRuntime((runtime) => runtime.knowledge.graphStats({ tenantId: flags.tenant, kb: flags.kb, top: flags.top }));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(stats)}\n`);
        return;
      }
      process.stdout.write(
        `${flags.kb}: ${stats.entities} entities, ${stats.relations} relations, ${stats.mentions} mentions in ${stats.chunks} chunks, ` +
          `${stats.communities} communities\n`,
      );
      for (const entity of stats.topEntities) process.stdout.write(`  ${entity.name}\t${entity.type}\t${entity.chunks} chunks\n`);
    });
  graph.command('show')
    .description('an entity, its aliases and supporting chunks, and the entities related to it')
    .argument('<entity>', 'entity name (case, accents and punctuation do not matter)')
    .requiredOption('--kb <name>', 'knowledge base')
    .option('--tenant <id>', 'tenant that owns the knowledge base', 'default')
    .option('--depth <hops>', 'relation hops around the entity (0 to 3)', depthValue, 1)
    .option('--json', 'print the result as JSON')
    .action(async (name: string, flags: GraphFlags & { depth: number }) => {
      const view = await withRuntime((runtime) =>
        runtime.knowledge.graph({ tenantId: flags.tenant, kb: flags.kb, entity: name, depth: flags.depth }));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(view)}\n`);
        return;
      }
      const { entity } = view;
      process.stdout.write(`${entity.name} (${entity.type}), in ${entity.chunkIds.length} chunks\n`);
      if (entity.description) process.stdout.write(`  ${entity.description.replace(/\n/g, '\n  ')}\n`);
      const aliases = entity.aliases.filter((alias) => !alias.startsWith('~') && alias !== entity.name);
      if (aliases.length > 0) process.stdout.write(`  also: ${aliases.join(', ')}\n`);
      const nameOf = new Map(view.entities.map((item) => [item.id, item.name]));
      for (const relation of view.relations) {
        process.stdout.write(
          `  ${nameOf.get(relation.sourceId)} -[${relation.type} ×${relation.weight}]-> ${nameOf.get(relation.targetId)}\n`,
        );
      }
    });
  return graph;
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a positive integer');
  return parsed;
}

function depthValue(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 3) throw new InvalidArgumentError('must be 0, 1, 2 or 3');
  return parsed;
}
