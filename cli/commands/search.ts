import { Command, InvalidArgumentError, Option } from 'commander';
import { GRAPH_SEARCH_MODES } from '../../rag/retrieve/graph-search.js';
import type { SearchMode } from '../../rag/search.js';
import { withRuntime } from '../with-runtime.js';

interface SearchFlags {
  kb: string;
  tenant: string;
  mode: SearchMode;
  k?: number;
  filter?: string[];
  diversity?: number;
  json?: boolean;
}

/** `trellis search "<query>" --kb <name>`: passages with their citations and why they ranked. */
export function createSearchCommand(): Command {
  return new Command('search')
    .description('search a knowledge base')
    .argument('<query>', 'what to look for')
    .requiredOption('--kb <name>', 'knowledge base')
    .option('--tenant <id>', 'tenant that owns the knowledge base', 'default')
    .addOption(new Option('--mode <mode>', 'retrieval mode').choices(['dense', 'keyword', 'hybrid', ...GRAPH_SEARCH_MODES]).default('hybrid'))
    .option('-k <count>', 'how many passages', (value) => Number.parseInt(value, 10))
    .option('--filter <key=value...>', 'only passages whose document metadata has these values (e.g. source=guide.md)')
    .option('--diversity <lambda>', 'MMR: 1 keeps the ranking, lower values favour varied passages', Number.parseFloat)
    .option('--json', 'print the result as JSON')
    .action(async (query: string, flags: SearchFlags) => {
      const filter = flags.filter ? parseFilter(flags.filter) : undefined;
      const result = await withRuntime((runtime, signal) =>
        runtime.knowledge.search({
          tenantId: flags.tenant,
          kb: flags.kb,
          query,
          mode: flags.mode,
          topK: flags.k,
          filter,
          diversity: flags.diversity,
          signal,
        }),
      );
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      if (result.notice) process.stderr.write(`note: ${result.notice}\n`);
      result.hits.forEach((hit, index) => {
        const { citation } = hit;
        const where = `${citation.source}${citation.page ? ` p.${citation.page}` : ''} [${citation.start}-${citation.end}]`;
        const why = Object.entries(hit.why)
          .map(([list, entry]) => `${list} #${entry.rank}`)
          .join(', ');
        process.stdout.write(`${index + 1}. ${where}  score ${hit.score.toFixed(3)} (${why})\n   ${hit.text.replace(/\s+/g, ' ').slice(0, 240)}\n`);
      });
      if (result.hits.length === 0) process.stdout.write('no passages found\n');
    });
}

/** `key=value` pairs; a key given twice matches either value. */
function parseFilter(pairs: readonly string[]): Record<string, string[]> {
  const filter: Record<string, string[]> = {};
  for (const pair of pairs) {
    const separator = pair.indexOf('=');
    if (separator <= 0) throw new InvalidArgumentError(`filter ${pair} is not key=value`);
    (filter[pair.slice(0, separator)] ??= []).push(pair.slice(separator + 1));
  }
  return filter;
}
