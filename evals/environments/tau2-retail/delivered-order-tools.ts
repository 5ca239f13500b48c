import { z } from 'zod';
import { type AnyToolDefinition, defineTool } from '../../../tools/define-tool.js';
import { orderIdField, paymentMethodIdField } from './address-schema.js';
import { assertItemsInOrder, fail, isGiftCard, type RetailStore, roundCents } from './retail-store.js';

const CONFIRM = "Explain the details and get the user's explicit confirmation (yes) first.";
const sorted = (ids: readonly string[]) => [...ids].sort();

/** Returning or exchanging items of a delivered order (once per order). */
export function deliveredOrderTools(store: RetailStore): AnyToolDefinition[] {
  return [
    defineTool({
      name: 'return_delivered_order_items',
      description: `Return items of a delivered order; the order becomes 'return requested' and the user gets an email on how to return them. The refund goes to the original payment method or a gift card. ${CONFIRM}`,
      schema: z.object({
        order_id: orderIdField,
        item_ids: z.array(z.string()).describe("The item ids to return, such as ['1008292230']; may repeat"),
        payment_method_id: paymentMethodIdField.describe('Where the refund goes: the original payment method or a gift card'),
      }),
      execute: ({ order_id: orderId, item_ids: itemIds, payment_method_id: paymentMethodId }) => {
        const order = store.order(orderId);
        if (order.status !== 'delivered') fail('Non-delivered order cannot be returned');
        const method = store.paymentMethod(order.user_id, paymentMethodId);
        if (!isGiftCard(method) && paymentMethodId !== order.payment_history[0]?.payment_method_id) {
          fail('Payment method should be the original payment method');
        }
        assertItemsInOrder(order, itemIds, () => 'Some item not found');
        order.status = 'return requested';
        order.return_items = sorted(itemIds);
        order.return_payment_method_id = paymentMethodId;
        return structuredClone(order);
      },
    }),
    defineTool({
      name: 'exchange_delivered_order_items',
      description: `Exchange items of a delivered order for other variants of the same products; the price difference is paid or refunded with the given payment method. ${CONFIRM}`,
      schema: z.object({
        order_id: orderIdField,
        item_ids: z.array(z.string()).describe("The item ids to exchange, such as ['1008292230']; may repeat"),
        new_item_ids: z.array(z.string()).describe('The new item ids, in the same positions as item_ids and of the same products'),
        payment_method_id: paymentMethodIdField,
      }),
      execute: ({ order_id: orderId, item_ids: itemIds, new_item_ids: newItemIds, payment_method_id: paymentMethodId }) => {
        const order = store.order(orderId);
        if (order.status !== 'delivered') fail('Non-delivered order cannot be exchanged');
        assertItemsInOrder(order, itemIds, (itemId) => `Number of ${itemId} not found.`);
        if (itemIds.length !== newItemIds.length) fail('The number of items to be exchanged should match.');
        let difference = 0;
        itemIds.forEach((itemId, index) => {
          const item = order.items.find((entry) => entry.item_id === itemId) ?? fail(`Item ${itemId} not found`);
          const variant = store.variant(item.product_id, newItemIds[index]!);
          if (!variant.available) fail(`New item ${newItemIds[index]!} not found or available`);
          difference += variant.price - item.price;
        });
        difference = roundCents(difference);
        const method = store.paymentMethod(order.user_id, paymentMethodId);
        if (isGiftCard(method) && (method.balance ?? 0) < difference) {
          fail('Insufficient gift card balance to pay for the price difference');
        }
        order.status = 'exchange requested';
        order.exchange_items = sorted(itemIds);
        order.exchange_new_items = sorted(newItemIds);
        order.exchange_payment_method_id = paymentMethodId;
        order.exchange_price_difference = difference;
        return structuredClone(order);
      },
    }),
  ];
}
