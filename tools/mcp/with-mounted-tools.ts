import { TrellisError } from '../../core/errors.js';
import type { AnyToolDefinition } from '../define-tool.js';
import type { ToolRegistry } from '../registry.js';

/**
 * The registry with external servers' tools beside its own, in one name order. The mounted names are unique and
 * new (mountMcpServers checks them against the registry), so nothing here shadows a tool.
 */
export function withMountedTools(registry: ToolRegistry, mounted: readonly AnyToolDefinition[]): ToolRegistry {
  if (mounted.length === 0) return registry;
  const byName = new Map(mounted.map((tool) => [tool.name, tool]));
  const all = [...registry.list(), ...mounted].sort((a, b) => a.name.localeCompare(b.name));
  return {
    problems: registry.problems,
    has: (name) => registry.has(name) || byName.has(name),
    list: () => all,
    get(name) {
      const tool = byName.get(name);
      if (tool) return tool;
      if (registry.has(name)) return registry.get(name);
      const available = all.map((definition) => definition.name);
      throw new TrellisError('TOOL_NOT_FOUND', `tool ${name} not found; available: ${available.join(', ')}`, { details: { tool: name, available } });
    },
  };
}
