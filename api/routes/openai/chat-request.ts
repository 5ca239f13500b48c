import { z } from 'zod';

const TextPart = z.object({ type: z.literal('text'), text: z.string() });
// Other part types (images, audio) are accepted by the schema and refused by the converter with a clear message.
const ContentPart = z.union([TextPart, z.looseObject({ type: z.string() })]);
const Content = z.union([z.string(), z.array(ContentPart)]);

const ToolCall = z.object({
  id: z.string().min(1).max(200),
  type: z.literal('function'),
  function: z.object({ name: z.string().min(1).max(200), arguments: z.string().max(1_000_000) }),
});

export const ChatMessageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.enum(['system', 'developer']), content: Content, name: z.string().optional() }),
  z.object({ role: z.literal('user'), content: Content, name: z.string().optional() }),
  z.object({
    role: z.literal('assistant'),
    content: Content.nullable().optional(),
    tool_calls: z.array(ToolCall).optional(),
    name: z.string().optional(),
  }),
  z.object({ role: z.literal('tool'), content: Content, tool_call_id: z.string().min(1).max(200) }),
]);
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

const FunctionTool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'tool names are 1-64 letters, digits, _ or -'),
    description: z.string().max(4096).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullable().optional(),
  }),
});

const ToolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) }),
]);

/**
 * The request body of `POST /v1/chat/completions`: OpenAI's, with Trellis's extensions beside it (extra body
 * fields, which OpenAI SDKs pass through): `thread_id` continues a stored thread, `kb` names the knowledge base,
 * `resume` answers a pending approval. Sampling settings are accepted for compatibility; the server's model
 * configuration decides them.
 */
export const ChatCompletionRequestSchema = z.object({
  model: z.string().min(1).max(200).describe('An agent or graph name, as GET /v1/models lists them.'),
  messages: z.array(ChatMessageSchema).max(1000),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  tools: z.array(FunctionTool).max(128).optional(),
  tool_choice: ToolChoice.optional(),
  user: z.string().max(256).optional(),
  metadata: z.record(z.string().max(64), z.string().max(512)).optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  max_tokens: z.number().int().positive().nullable().optional(),
  max_completion_tokens: z.number().int().positive().nullable().optional(),
  n: z.literal(1).nullable().optional().describe('Only one choice is generated.'),
  seed: z.number().int().nullable().optional(),
  stop: z.union([z.string(), z.array(z.string())]).nullable().optional(),
  presence_penalty: z.number().nullable().optional(),
  frequency_penalty: z.number().nullable().optional(),
  parallel_tool_calls: z.boolean().optional(),
  thread_id: z.string().min(1).max(128).optional().describe('Trellis: continue this thread; only the messages after the last assistant message are new.'),
  kb: z.string().min(1).max(128).optional().describe('Trellis: the knowledge base the agent or graph searches.'),
  resume: z.unknown().optional().describe('Trellis: the answer to a pending approval on `thread_id`, e.g. {"action": "approve"}.'),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;
