import { TrellisError } from '../../core/errors.js';
import type { Runtime } from '../../runtime/create-runtime.js';
import type { ModelCallCache } from '../run/model-cache.js';
import type { SuiteTarget } from '../suite/suite-schema.js';
import { createChatCaller } from './chat-caller.js';
import { createEnvironmentAgentTarget } from './environment-agent-target.js';
import { createHttpTarget } from './http-target.js';
import { createModelTarget } from './model-target.js';
import { resolveChatModel } from './resolve-chat-model.js';
import { createRetrieverTarget } from './retriever-target.js';
import { createRuntimeRunTarget } from './runtime-run-target.js';
import type { EvalTarget } from './target.js';

export interface CreateTargetOptions {
  readonly target: SuiteTarget;
  /** The parts of the runtime targets use; the runtime stays the one place that wires them. */
  readonly runtime: Pick<Runtime, 'knowledge' | 'runManager' | 'models'>;
  readonly cache: ModelCallCache;
  readonly env?: NodeJS.ProcessEnv;
}

/** Builds the target a suite names, from the runtime's parts. */
export function createTarget(options: CreateTargetOptions): EvalTarget {
  const { target, runtime, cache } = options;
  const env = options.env ?? process.env;
  switch (target.kind) {
    case 'retriever':
      return createRetrieverTarget({
        knowledge: runtime.knowledge,
        tenantId: target.tenant,
        mode: target.mode,
        topK: target.topK,
        kb: target.kb,
      });
    case 'graph':
    case 'agent':
      if ('environment' in target) {
        const { model, modelId } = resolveChatModel(target, runtime.models.chat, env);
        const chat = createChatCaller({ model, modelId, cache, temperature: target.temperature, maxTokens: target.maxTokens });
        return createEnvironmentAgentTarget({ chat, maxTurns: target.maxTurns, system: target.system });
      }
      return createRuntimeRunTarget({
        runManager: runtime.runManager,
        kind: target.kind,
        name: target.name,
        tenantId: target.tenant,
        kb: target.kb,
        modelId: runtime.models.chat.mode === 'model' ? `${runtime.models.chat.provider}:${runtime.models.chat.modelId}` : undefined,
      });
    case 'model': {
      const { model, modelId } = resolveChatModel(target, runtime.models.chat, env);
      const chat = createChatCaller({ model, modelId, cache, temperature: target.temperature, maxTokens: target.maxTokens });
      return createModelTarget({ chat, system: target.system });
    }
    case 'http': {
      const apiKey = env[target.apiKeyEnv];
      if (!apiKey) {
        throw new TrellisError('EVAL_TARGET_UNAVAILABLE', `the suite reads the API key for ${target.url} from ${target.apiKeyEnv}, which is not set`, {
          hint: `Create a key with \`trellis keys create --scopes chat\` on that server and set ${target.apiKeyEnv} to it.`,
        });
      }
      return createHttpTarget({ url: target.url, model: target.model, apiKey, kb: target.kb, timeoutMs: target.timeoutMs });
    }
  }
}
