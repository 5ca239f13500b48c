/** The MCP servers Trellis serves, by the name they have in `trellis mcp serve <name>` and `/mcp/<name>`. */
export const MCP_SERVER_KINDS = ['knowledge', 'tools'] as const;
export type McpServerKind = (typeof MCP_SERVER_KINDS)[number];
