import { TrellisError } from '../../../core/errors.js';
import type { RetailDb, RetailOrder, RetailPaymentMethod, RetailProduct, RetailUser, RetailVariant } from './retail-db.js';

/**
 * One environment's database and the look-ups every retail tool shares. A failed look-up throws TOOL_FAILED with
 * tau2's own message ("Order not found"), which the agent sees as the tool's result.
 */
export class RetailStore {
  constructor(readonly db: RetailDb) {}

  order(orderId: string): RetailOrder {
    return this.db.orders[orderId] ?? fail('Order not found');
  }

  user(userId: string): RetailUser {
    return this.db.users[userId] ?? fail('User not found');
  }

  product(productId: string): RetailProduct {
    return this.db.products[productId] ?? fail('Product not found');
  }

  /** An item id is unique across products: the first product holding it. */
  item(itemId: string): RetailVariant {
    for (const product of Object.values(this.db.products)) {
      const variant = product.variants[itemId];
      if (variant) return variant;
    }
    return fail('Item not found');
  }

  variant(productId: string, variantId: string): RetailVariant {
    return this.product(productId).variants[variantId] ?? fail('Variant not found');
  }

  paymentMethod(userId: string, paymentMethodId: string): RetailPaymentMethod {
    return this.user(userId).payment_methods[paymentMethodId] ?? fail('Payment method not found');
  }
}

/** Throws the failure the agent sees for a refused action, in tau2's wording. */
export function fail(message: string): never {
  throw new TrellisError('TOOL_FAILED', message, { hint: 'Check the ids and the policy, then try a different action.' });
}

/** Money to the cent, as tau2 rounds balances and price differences. */
export function roundCents(amount: number): number {
  return Number(amount.toFixed(2));
}

export function isGiftCard(method: RetailPaymentMethod): boolean {
  return method.source === 'gift_card';
}

/** Fails unless every id in `wanted` occurs in the order at least as often as in `wanted` (lists may repeat ids). */
export function assertItemsInOrder(order: RetailOrder, wanted: readonly string[], message: (itemId: string) => string): void {
  const held = order.items.map((item) => item.item_id);
  const count = (list: readonly string[], id: string) => list.filter((entry) => entry === id).length;
  for (const itemId of wanted) if (count(wanted, itemId) > count(held, itemId)) fail(message(itemId));
}

/** Case- and accent-insensitive text, as tau2 matches names and emails (`fold_for_match`). */
export function foldForMatch(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().trim();
}
