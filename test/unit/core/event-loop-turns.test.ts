import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { EventLoopTurns } from '../../../core/event-loop-turns.js';

/** Keeps the thread busy, as a run's synchronous work (SQLite, a local model) does. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** Counts the turns of the event loop until stopped: each one polls for I/O, which a turn held by work cannot. */
function countTurns(): { stop: () => number } {
  let turns = 0;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    turns += 1;
    setImmediate(tick);
  };
  setImmediate(tick);
  return {
    stop: () => {
      stopped = true;
      return turns;
    },
  };
}

/** A run: synchronous work between the points where it may yield, as the agent node does around a model call. */
async function run(turns: EventLoopTurns | undefined, id: number, finished: number[]): Promise<void> {
  busy(1);
  await turns?.yieldTurn();
  busy(2);
  await turns?.yieldTurn();
  busy(2);
  finished.push(id);
}

describe('EventLoopTurns', () => {
  it('lets a caller continue in the same turn while the turn is younger than the budget', async () => {
    const turns = new EventLoopTurns(1_000);
    expect(turns.yieldTurn()).toBeUndefined();
    busy(1);
    expect(turns.yieldTurn()).toBeUndefined();
    await nextTurn();
    expect(turns.yieldTurn()).toBeUndefined();
  });

  it('(control) without yields, the same burst of runs holds the event loop for one long turn', async () => {
    const counter = countTurns();
    const finished: number[] = [];
    await Promise.all(Array.from({ length: 20 }, (_, id) => run(undefined, id, finished)));
    expect(counter.stop()).toBe(0);
  });

  it('spreads a burst of runs over many turns, finishing every run, in the order they arrived', async () => {
    const turns = new EventLoopTurns(5);
    const counter = countTurns();
    const finished: number[] = [];
    await Promise.all(Array.from({ length: 20 }, (_, id) => run(turns, id, finished)));
    // 100 ms of work in turns of a few milliseconds: the loop polled for I/O again and again meanwhile.
    expect(counter.stop()).toBeGreaterThanOrEqual(5);
    expect(finished).toEqual(Array.from({ length: 20 }, (_, id) => id));
  });

  it('queues a newcomer behind those already waiting, even in a turn that has just begun', async () => {
    const turns = new EventLoopTurns(5);
    const order: string[] = [];
    expect(turns.yieldTurn()).toBeUndefined();
    busy(6);
    let newcomer: Promise<void> | undefined;
    const waiters = Array.from({ length: 20 }, (_, index) =>
      turns.yieldTurn()!.then(() => {
        order.push(`waiter ${index}`);
        // The first resumed opens a new turn, while most of the others still wait.
        if (index === 0) newcomer = turns.yieldTurn();
      }),
    );
    await waiters[0];
    expect(newcomer).toBeInstanceOf(Promise);
    await Promise.all([...waiters, newcomer!.then(() => order.push('newcomer'))]);
    expect(order).toEqual([...Array.from({ length: 20 }, (_, index) => `waiter ${index}`), 'newcomer']);
  });
});
