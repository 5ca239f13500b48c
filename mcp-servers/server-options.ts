import type { Logger } from '../core/logger.js';
import type { KnowledgeService } from '../rag/knowledge-service.js';
import type { ToolLimits } from '../tools/execute-tool.js';
import type { ToolRegistry } from '../tools/registry.js';

/** What Trellis's MCP servers are built from: a narrow slice of the runtime, plus who the session acts for. */
export interface TrellisMcpServerOptions {
  readonly knowledge: KnowledgeService;
  readonly tools: ToolRegistry;
  readonly logger: Logger;
  /** `tools.timeoutMs` and `tools.maxOutputBytes`: the limits of every tool call. */
  readonly limits: ToolLimits;
  /** Every knowledge base, document and tool call of the session is this tenant's. */
  readonly tenantId: string;
  /** Serve tools that need a person's approval (the MCP client then asks); off by default. */
  readonly includeApprovalTools?: boolean;
  /** How often a long call with a progress token reports progress (1 s). */
  readonly progressIntervalMs?: number;
}
