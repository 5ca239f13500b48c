/** What names a LangGraph task: the node it runs, its id, and the (sub)graph namespace it runs in. */
export interface TaskReference {
  readonly node: string;
  readonly taskId: string;
  readonly namespace: readonly string[];
}

/**
 * LangGraph's path of a task, as work inside the task finds it in its metadata (`langgraph_checkpoint_ns`):
 * `agent:<task id>`, or `researcher:<task id>|agent:<task id>` inside a subgraph. Kept apart from run-events.ts,
 * which loads LangChain, so that the run manager can name tasks before any graph is loaded.
 */
export function taskPathOf(task: TaskReference): string {
  const own = `${task.node}:${task.taskId}`;
  return task.namespace.length === 0 ? own : `${task.namespace.join('|')}|${own}`;
}
