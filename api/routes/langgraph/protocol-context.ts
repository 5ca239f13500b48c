import type { Runtime } from '../../../runtime/create-runtime.js';
import type { AssistantCatalog } from './assistant-catalog.js';

/** What every route of the protocol shares: the runtime, its assistants, and when they came up. */
export interface ProtocolContext {
  readonly runtime: Runtime;
  readonly catalog: AssistantCatalog;
  /** The assistants' `created_at`: they exist since the server started. */
  readonly since: string;
}
