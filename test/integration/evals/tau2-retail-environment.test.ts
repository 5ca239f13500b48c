import { beforeAll, describe, expect, it } from 'vitest';
import { createTau2RetailEnvironment } from '../../../evals/environments/tau2-retail/environment.js';
import type { RetailDb } from '../../../evals/environments/tau2-retail/retail-db.js';
import { loadDataset } from '../../../evals/datasets/registry.js';
import type { EvalDataset, EvalEnvironment } from '../../../evals/types.js';

// The retail tools against tau2's real database: what they return, what they change, and what they refuse.
describe('tau2 retail environment', () => {
  let dataset: EvalDataset;
  let environment: EvalEnvironment;
  const state = () => environment.snapshot() as RetailDb;
  beforeAll(async () => {
    dataset = await loadDataset('tau2-retail');
  });
  const fresh = () => {
    environment = dataset.environment!({ id: 'test', input: '', expected: {} });
  };

  it('offers the retail tools by tau2 name', () => {
    fresh();
    expect(environment.tools.map((tool) => tool.name).sort()).toEqual([
      'calculate', 'cancel_pending_order', 'exchange_delivered_order_items', 'find_user_id_by_email', 'find_user_id_by_name_zip',
      'get_item_details', 'get_order_details', 'get_product_details', 'get_user_details', 'list_all_product_types',
      'modify_pending_order_address', 'modify_pending_order_items', 'modify_pending_order_payment', 'modify_user_address',
      'return_delivered_order_items', 'think', 'transfer_to_human_agents',
    ]);
  });

  it('finds users by email or by name and zip, ignoring case and accents in names but not the zip', async () => {
    fresh();
    expect(await environment.call({ name: 'find_user_id_by_name_zip', arguments: { first_name: 'YUSUF', last_name: 'Rossí', zip: '19122' } })).toEqual({ ok: true, output: 'yusuf_rossi_9620' });
    expect(await environment.call({ name: 'find_user_id_by_name_zip', arguments: { first_name: 'Yusuf', last_name: 'Rossi', zip: '19123' } })).toMatchObject({ ok: false, error: { code: 'TOOL_FAILED', message: 'User not found' } });
    expect(await environment.call({ name: 'find_user_id_by_email', arguments: { email: 'Noah.Brown7922@example.com' } })).toEqual({ ok: true, output: 'noah_brown_6181' });
  });

  it('cancels a pending order, refunding a gift card at once, and refuses to cancel it twice', async () => {
    fresh();
    const db = state();
    const [orderId, order] = Object.entries(db.orders).find(([, candidate]) => candidate.status === 'pending' && candidate.payment_history.length === 1 && candidate.payment_history[0]!.payment_method_id.startsWith('gift_card'))!;
    const cardId = order.payment_history[0]!.payment_method_id;
    const before = db.users[order.user_id]!.payment_methods[cardId]!.balance!;
    const result = await environment.call({ name: 'cancel_pending_order', arguments: { order_id: orderId, reason: 'no longer needed' } });
    expect(result).toMatchObject({ ok: true, output: { status: 'cancelled', cancel_reason: 'no longer needed' } });
    const after = state();
    expect(after.users[order.user_id]!.payment_methods[cardId]!.balance).toBeCloseTo(before + order.payment_history[0]!.amount, 2);
    expect(after.orders[orderId]!.payment_history.at(-1)).toEqual({ transaction_type: 'refund', amount: order.payment_history[0]!.amount, payment_method_id: cardId });
    expect(await environment.call({ name: 'cancel_pending_order', arguments: { order_id: orderId, reason: 'no longer needed' } })).toMatchObject({ ok: false, error: { message: 'Non-pending order cannot be cancelled' } });
  });

  it('returns invalid arguments to the agent as issues, and unknown tools by name', async () => {
    fresh();
    expect(await environment.call({ name: 'get_order_details', arguments: { order: '#W1' } })).toMatchObject({ ok: false, error: { code: 'TOOL_INPUT_INVALID', issues: [{ path: 'order_id' }] } });
    expect(await environment.call({ name: 'cancel_pending_order', arguments: { order_id: '#W2611340', reason: 'changed my mind' } })).toMatchObject({ ok: false });
    expect(await environment.call({ name: 'delete_everything', arguments: {} })).toMatchObject({ ok: false, error: { code: 'TOOL_NOT_FOUND' } });
    expect(await environment.call({ name: 'calculate', arguments: { expression: '(2 + 8) / 3' } })).toEqual({ ok: true, output: '3.33' });
    expect(await environment.call({ name: 'calculate', arguments: { expression: 'process.exit()' } })).toMatchObject({ ok: false, error: { message: 'Invalid characters in expression' } });
  });

  it('keeps each environment and each snapshot separate from the others and from the dataset', async () => {
    fresh();
    const first = environment;
    await first.call({ name: 'modify_user_address', arguments: { user_id: 'noah_brown_6181', address1: '1 New St', address2: '', city: 'Austin', state: 'TX', country: 'USA', zip: '73301' } });
    const snapshot = first.snapshot() as RetailDb;
    snapshot.users.noah_brown_6181!.address.city = 'Tampered';
    expect((first.snapshot() as RetailDb).users.noah_brown_6181!.address.city).toBe('Austin');
    fresh();
    expect(state().users.noah_brown_6181!.address.city).toBe('Denver');
    const output = await environment.call({ name: 'get_user_details', arguments: { user_id: 'noah_brown_6181' } });
    (output as { output: { email: string } }).output.email = 'changed@example.com';
    expect(state().users.noah_brown_6181!.email).toBe('noah.brown7922@example.com');
  });

  it('builds from any database object without changing it', async () => {
    const db: RetailDb = { products: {}, users: {}, orders: {} };
    const small = createTau2RetailEnvironment({ db, policy: 'Be kind.' });
    expect(small.policy).toBe('Be kind.');
    expect(await small.call({ name: 'list_all_product_types', arguments: {} })).toEqual({ ok: true, output: '{}' });
    expect(db).toEqual({ products: {}, users: {}, orders: {} });
  });
});
