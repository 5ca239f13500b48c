import { z } from 'zod';
import { type AnyToolDefinition, defineTool } from '../../../tools/define-tool.js';
import { addressFields, orderIdField, paymentMethodIdField } from './address-schema.js';
import { assertItemsInOrder, fail, isGiftCard, type RetailStore, roundCents } from './retail-store.js';

const CONFIRM = "Explain the details and get the user's explicit confirmation (yes) first.";

/** Changing an order that has not shipped: cancel it, or change its address, payment method or items. */
export function pendingOrderTools(store: RetailStore): AnyToolDefinition[] {
  return [
    defineTool({
      name: 'cancel_pending_order',
      description: `Cancel a pending order; processed or delivered orders cannot be cancelled. Payments are refunded, to a gift card at once, otherwise in 5-7 business days. ${CONFIRM}`,
      schema: z.object({
        order_id: orderIdField,
        reason: z.string().describe("Either 'no longer needed' or 'ordered by mistake'"),
      }),
      execute: ({ order_id: orderId, reason }) => {
        const order = store.order(orderId);
        if (order.status !== 'pending') fail('Non-pending order cannot be cancelled');
        if (reason !== 'no longer needed' && reason !== 'ordered by mistake') fail('Invalid reason');
        const refunds = order.payment_history.map((payment) => {
          const method = store.paymentMethod(order.user_id, payment.payment_method_id);
          if (isGiftCard(method)) method.balance = roundCents((method.balance ?? 0) + payment.amount);
          return { transaction_type: 'refund', amount: payment.amount, payment_method_id: payment.payment_method_id };
        });
        order.status = 'cancelled';
        order.cancel_reason = reason;
        order.payment_history.push(...refunds);
        return structuredClone(order);
      },
    }),
    defineTool({
      name: 'modify_pending_order_address',
      description: `Change the shipping address of a pending order. ${CONFIRM}`,
      schema: z.object({ order_id: orderIdField, ...addressFields }),
      execute: ({ order_id: orderId, address1, address2, city, state, country, zip }) => {
        const order = store.order(orderId);
        // tau2 allows this for 'pending (item modified)' orders too.
        if (!order.status.includes('pending')) fail('Non-pending order cannot be modified');
        order.address = { address1, address2, city, country, state, zip };
        return structuredClone(order);
      },
    }),
    defineTool({
      name: 'modify_pending_order_payment',
      description: `Pay a pending order with another of the user's payment methods; the old one is refunded. ${CONFIRM}`,
      schema: z.object({ order_id: orderIdField, payment_method_id: paymentMethodIdField }),
      execute: ({ order_id: orderId, payment_method_id: paymentMethodId }) => {
        const order = store.order(orderId);
        if (!order.status.includes('pending')) fail('Non-pending order cannot be modified');
        const method = store.paymentMethod(order.user_id, paymentMethodId);
        const [original, ...later] = order.payment_history;
        if (!original || later.length > 0 || original.transaction_type !== 'payment') {
          fail('There should be exactly one payment for a pending order');
        }
        if (original.payment_method_id === paymentMethodId) fail('The new payment method should be different from the current one');
        const amount = original.amount;
        if (isGiftCard(method) && (method.balance ?? 0) < amount) fail('Insufficient gift card balance to pay for the order');
        order.payment_history.push(
          { transaction_type: 'payment', amount, payment_method_id: paymentMethodId },
          { transaction_type: 'refund', amount, payment_method_id: original.payment_method_id },
        );
        if (isGiftCard(method)) method.balance = roundCents((method.balance ?? 0) - amount);
        const previous = store.paymentMethod(order.user_id, original.payment_method_id);
        if (isGiftCard(previous)) previous.balance = roundCents((previous.balance ?? 0) + amount);
        return structuredClone(order);
      },
    }),
    defineTool({
      name: 'modify_pending_order_items',
      description: `Swap items of a pending order for other variants of the same products; can be done once per order. The price difference is paid or refunded with the given payment method. ${CONFIRM}`,
      schema: z.object({
        order_id: orderIdField,
        item_ids: z.array(z.string()).describe("The item ids to change, such as ['1008292230']; may repeat"),
        new_item_ids: z.array(z.string()).describe('The new item ids, in the same positions as item_ids and of the same products'),
        payment_method_id: paymentMethodIdField,
      }),
      execute: ({ order_id: orderId, item_ids: itemIds, new_item_ids: newItemIds, payment_method_id: paymentMethodId }) => {
        const order = store.order(orderId);
        if (order.status !== 'pending') fail('Non-pending order cannot be modified');
        assertItemsInOrder(order, itemIds, (itemId) => `${itemId} not found`);
        if (itemIds.length !== newItemIds.length) fail('The number of items to be exchanged should match');
        const changes = itemIds.map((itemId, index) => {
          const newItemId = newItemIds[index]!;
          if (itemId === newItemId) fail('The new item id should be different from the old item id');
          const item = order.items.find((entry) => entry.item_id === itemId) ?? fail(`Item ${itemId} not found`);
          const variant = store.variant(item.product_id, newItemId);
          if (!variant.available) fail(`New item ${newItemId} not found or available`);
          return { itemId, variant };
        });
        const difference = roundCents(changes.reduce((total, { itemId, variant }) => {
          const item = order.items.find((entry) => entry.item_id === itemId)!;
          return total + variant.price - item.price;
        }, 0));
        const method = store.paymentMethod(order.user_id, paymentMethodId);
        if (isGiftCard(method) && (method.balance ?? 0) < difference) fail('Insufficient gift card balance to pay for the new item');
        order.payment_history.push({
          transaction_type: difference > 0 ? 'payment' : 'refund',
          amount: Math.abs(difference),
          payment_method_id: paymentMethodId,
        });
        if (isGiftCard(method)) method.balance = roundCents((method.balance ?? 0) - difference);
        // Each item takes its own new variant's price and options. (tau2's code gives every changed item the last
        // variant's; the gold replay runs this same code, so scores are unaffected either way.)
        for (const { itemId, variant } of changes) {
          const item = order.items.find((entry) => entry.item_id === itemId)!;
          item.item_id = variant.item_id;
          item.price = variant.price;
          item.options = { ...variant.options };
        }
        order.status = 'pending (item modified)';
        return structuredClone(order);
      },
    }),
  ];
}
