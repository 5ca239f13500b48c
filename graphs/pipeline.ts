import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from '@langchain/core/messages';
import type { RunnableConfig } from '@langchain/core/runnables';
import { Annotation, END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { z } from 'zod';
import type { ChatModel } from '../core/models/types.js';

/** The reviewer's judgement of a draft. */
export interface ReviewVerdict {
  readonly decision: 'approve' | 'revise';
  /** What to change; empty when approved. */
  readonly feedback: string;
}

/** What each step is told to do; the defaults make a general plan → write → review pipeline. */
export interface PipelineSteps {
  readonly plan: string;
  readonly act: string;
  readonly review: string;
}

export interface PipelineGraphDependencies {
  readonly model: ChatModel;
  /** Replaces the default instructions of any step, to specialise the template (a report, a code change, ...). */
  readonly steps?: Partial<PipelineSteps>;
  /** How many times review may send the draft back to act (default 1); the last draft is the answer either way. */
  readonly maxRevisions?: number;
  /** The most plan steps kept (default 7). */
  readonly maxPlanSteps?: number;
}

export const PipelineState = Annotation.Root({
  ...MessagesAnnotation.spec,
  task: Annotation<string>({ reducer: (_, next) => next, default: () => '' }),
  plan: Annotation<string[]>({ reducer: (_, next) => next, default: () => [] }),
  draft: Annotation<string>({ reducer: (_, next) => next, default: () => '' }),
  /** The id of the model reply that wrote `draft`, so the answer message is the streamed one, not a copy. */
  draftId: Annotation<string | undefined>({ reducer: (_, next) => next, default: () => undefined }),
  verdict: Annotation<ReviewVerdict | null>({ reducer: (_, next) => next, default: () => null }),
  /** Times the draft was sent back in this turn. */
  revisions: Annotation<number>({ reducer: (_, next) => next, default: () => 0 }),
  answer: Annotation<string>({ reducer: (_, next) => next, default: () => '' }),
});
export type PipelineStateType = typeof PipelineState.State;

export const DEFAULT_PIPELINE_STEPS: PipelineSteps = {
  plan: 'Break the task into a short ordered list of concrete steps. Do not carry them out.',
  act: 'Carry out the plan and write the complete result for the task. Write only the result.',
  review:
    'Review the draft against the task and the plan. Approve it if it does the task correctly and completely; ' +
    'otherwise ask for a revision and say precisely what to change.',
};

const PlanSchema = z.object({ steps: z.array(z.string()).describe('The steps, in the order to do them') });
const ReviewSchema = z.object({
  decision: z.enum(['approve', 'revise']).describe('approve if the draft is done, revise if it must change'),
  feedback: z.string().describe('What to change; empty when approving'),
});

/**
 * The sequential template: `plan_task` lists the steps, `act` writes the result, `review` approves it or sends it back to
 * `act` with feedback, at most `maxRevisions` times; then `finish` makes the last draft the answer. Each step's
 * instructions can be replaced through `steps`.
 *
 * @example
 * const graph = buildPipelineGraph({ model, steps: { act: 'Write the release notes in Markdown.' } })
 *   .compile({ checkpointer });
 * const { answer, verdict } = await graph.invoke({ messages: [new HumanMessage('Release notes for 1.2')] },
 *   { configurable: { thread_id } });
 */
export function buildPipelineGraph(dependencies: PipelineGraphDependencies) {
  const { model } = dependencies;
  const steps: PipelineSteps = { ...DEFAULT_PIPELINE_STEPS, ...dependencies.steps };
  const maxRevisions = dependencies.maxRevisions ?? 1;
  const maxPlanSteps = dependencies.maxPlanSteps ?? 7;

  async function planTask(state: PipelineStateType, config: RunnableConfig): Promise<Partial<PipelineStateType>> {
    const task = lastHumanText(state.messages) || state.task;
    const planner = model.withStructuredOutput(PlanSchema, { name: 'make_plan' });
    const result = await planner.invoke([new SystemMessage(steps.plan), new HumanMessage(task)], config);
    const planned = result.steps.map((step) => step.trim()).filter(Boolean).slice(0, maxPlanSteps);
    // Each turn starts afresh; the thread keeps its messages only.
    return { task, plan: planned, draft: '', draftId: undefined, verdict: null, revisions: 0, answer: '' };
  }

  async function act(state: PipelineStateType, config: RunnableConfig): Promise<Partial<PipelineStateType>> {
    const revising = state.verdict?.decision === 'revise';
    const request =
      `Task: ${state.task}\n\nPlan:\n${numberedList(state.plan)}` +
      (revising ? `\n\nYour previous draft:\n${state.draft}\n\nThe reviewer asks for these changes:\n${state.verdict!.feedback}` : '');
    const reply = await model.invoke([new SystemMessage(steps.act), new HumanMessage(request)], config);
    return { draft: reply.text, draftId: reply.id, revisions: revising ? state.revisions + 1 : state.revisions };
  }

  async function review(state: PipelineStateType, config: RunnableConfig): Promise<Partial<PipelineStateType>> {
    const reviewer = model.withStructuredOutput(ReviewSchema, { name: 'review_draft' });
    const verdict = await reviewer.invoke(
      [
        new SystemMessage(steps.review),
        new HumanMessage(`Task: ${state.task}\n\nPlan:\n${numberedList(state.plan)}\n\nDraft:\n${state.draft}`),
      ],
      config,
    );
    return { verdict: { decision: verdict.decision, feedback: verdict.decision === 'approve' ? '' : verdict.feedback } };
  }

  function afterReview(state: PipelineStateType): 'act' | 'finish' {
    return state.verdict?.decision === 'revise' && state.revisions < maxRevisions ? 'act' : 'finish';
  }

  function finish(state: PipelineStateType): Partial<PipelineStateType> {
    return { answer: state.draft, messages: [new AIMessage({ id: state.draftId, content: state.draft })] };
  }

  return new StateGraph(PipelineState)
    // `plan_task`, not `plan`: a node cannot share its name with a state key.
    .addNode('plan_task', planTask)
    .addNode('act', act)
    .addNode('review', review)
    .addNode('finish', finish)
    .addEdge(START, 'plan_task')
    .addEdge('plan_task', 'act')
    .addEdge('act', 'review')
    .addConditionalEdges('review', afterReview, ['act', 'finish'])
    .addEdge('finish', END);
}

function numberedList(items: readonly string[]): string {
  return items.map((item, index) => `${index + 1}. ${item}`).join('\n');
}

function lastHumanText(messages: readonly BaseMessage[]): string {
  const human = [...messages].reverse().find((message) => message.getType() === 'human');
  return human?.text ?? '';
}
