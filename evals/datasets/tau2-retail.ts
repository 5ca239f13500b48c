import path from 'node:path';
import { z } from 'zod';
import { createTau2RetailEnvironment } from '../environments/tau2-retail/environment.js';
import { RetailDbSchema } from '../environments/tau2-retail/retail-db.js';
import type { DatasetLoader, EvalCase } from '../types.js';
import { datasetDir, datasetInvalid, parseRecord, readDatasetJson, readDatasetText } from './dataset-files.js';
import { assertNoSplit, inCategory, selectCases, selectedSize } from './select-cases.js';

const Action = z.object({ action_id: z.string().optional(), name: z.string().min(1), arguments: z.record(z.string(), z.unknown()) });
const Task = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  description: z.unknown().optional(),
  user_scenario: z.object({
    persona: z.string().nullable().optional(),
    instructions: z.looseObject({
      reason_for_call: z.string(),
      known_info: z.string().nullable().optional(),
      unknown_info: z.string().nullable().optional(),
      task_instructions: z.string().nullable().optional(),
    }),
  }),
  // tau2 can start a task from a modified database; no retail train task does, and this harness does not.
  initial_state: z.null().optional(),
  evaluation_criteria: z.object({
    actions: z.array(Action).nullable().optional(),
    communicate_info: z.array(z.string()).nullable().optional(),
    nl_assertions: z.array(z.string()).nullable().optional(),
    reward_basis: z.array(z.string()).optional(),
  }),
});
type Task = z.output<typeof Task>;

// The tools that change the database; a task's category is the set of them its gold actions use.
const WRITE_TOOLS = new Set([
  'cancel_pending_order', 'exchange_delivered_order_items', 'modify_pending_order_address', 'modify_pending_order_items',
  'modify_pending_order_payment', 'modify_user_address', 'return_delivered_order_items', 'transfer_to_human_agents',
]);

/**
 * tau2-bench's retail domain (`tasks_train.json`, `db.json`, `policy.md`). A case is one customer task: `input` is
 * the customer's reason for calling, `metadata.userScenario` the whole user-simulator scenario, `expected.actions`
 * the gold tool calls and `expected.outputs` what the agent must tell the customer. `category` names the write
 * actions the task needs (`exchange_delivered_order_items+return_delivered_order_items`, or `read-only`).
 * `environment(case)` gives a fresh shop over a copy of the database, for the agent and for replaying gold actions.
 */
export const loadTau2Retail: DatasetLoader = async (options) => {
  assertNoSplit(options, 'tau2-retail');
  const dir = datasetDir(options.path, 'tau2-retail-train');
  const tasksFile = path.join(dir, 'tasks_train.json');
  const dbFile = path.join(dir, 'db.json');
  const tasks = await readDatasetJson(tasksFile);
  if (!Array.isArray(tasks)) throw datasetInvalid(tasksFile, 'expected a JSON array of tasks');
  const cases = tasks.map((value, index) => toCase(parseRecord(Task, value, tasksFile, index + 1)));
  const db = parseRecord(RetailDbSchema, await readDatasetJson(dbFile), dbFile, 'database');
  const policy = await readDatasetText(path.join(dir, 'policy.md'));
  const available = cases.filter((evalCase) => inCategory(evalCase, options.category)).length;
  return {
    name: 'tau2-retail',
    size: selectedSize(available, options),
    cases: () => selectCases(cases, options),
    environment: () => createTau2RetailEnvironment({ db, policy }),
  };
};

function toCase(task: Task): EvalCase {
  const actions = (task.evaluation_criteria.actions ?? []).map((action) => ({ name: action.name, arguments: action.arguments }));
  const writes = [...new Set(actions.map((action) => action.name).filter((name) => WRITE_TOOLS.has(name)))].sort();
  return {
    id: task.id,
    input: task.user_scenario.instructions.reason_for_call,
    category: writes.length === 0 ? 'read-only' : writes.join('+'),
    expected: { actions, outputs: task.evaluation_criteria.communicate_info ?? [] },
    metadata: {
      userScenario: task.user_scenario,
      rewardBasis: task.evaluation_criteria.reward_basis ?? [],
      nlAssertions: task.evaluation_criteria.nl_assertions ?? [],
    },
  };
}
