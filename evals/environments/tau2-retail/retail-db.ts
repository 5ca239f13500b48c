import { z } from 'zod';

// The shapes of tau2's retail db.json (its pydantic models in tau2/domains/retail/data_model.py). Loose objects:
// fields this harness does not read are kept, so a snapshot round-trips the file unchanged.
const Address = z.looseObject({
  address1: z.string(), address2: z.string(), city: z.string(), country: z.string(), state: z.string(), zip: z.string(),
});
const Variant = z.looseObject({
  item_id: z.string(), options: z.record(z.string(), z.string()), available: z.boolean(), price: z.number(),
});
const Product = z.looseObject({ name: z.string(), product_id: z.string(), variants: z.record(z.string(), Variant) });
const PaymentMethod = z.looseObject({
  source: z.string(), id: z.string(), brand: z.string().optional(), last_four: z.string().optional(), balance: z.number().optional(),
});
const User = z.looseObject({
  user_id: z.string(),
  name: z.looseObject({ first_name: z.string(), last_name: z.string() }),
  address: Address,
  email: z.string(),
  payment_methods: z.record(z.string(), PaymentMethod),
  orders: z.array(z.string()),
});
const OrderItem = z.looseObject({
  name: z.string(), product_id: z.string(), item_id: z.string(), price: z.number(), options: z.record(z.string(), z.string()),
});
const Payment = z.looseObject({ transaction_type: z.string(), amount: z.number(), payment_method_id: z.string() });
const Order = z.looseObject({
  order_id: z.string(),
  user_id: z.string(),
  address: Address,
  items: z.array(OrderItem),
  status: z.string(),
  fulfillments: z.array(z.looseObject({ tracking_id: z.array(z.string()), item_ids: z.array(z.string()) })),
  payment_history: z.array(Payment),
  cancel_reason: z.string().optional(),
  exchange_items: z.array(z.string()).optional(),
  exchange_new_items: z.array(z.string()).optional(),
  exchange_payment_method_id: z.string().optional(),
  exchange_price_difference: z.number().optional(),
  return_items: z.array(z.string()).optional(),
  return_payment_method_id: z.string().optional(),
});

/** tau2's retail database: products, users and orders keyed by id. */
export const RetailDbSchema = z.looseObject({
  products: z.record(z.string(), Product),
  users: z.record(z.string(), User),
  orders: z.record(z.string(), Order),
});

export type RetailDb = z.output<typeof RetailDbSchema>;
export type RetailAddress = z.output<typeof Address>;
export type RetailOrder = z.output<typeof Order>;
export type RetailUser = z.output<typeof User>;
export type RetailProduct = z.output<typeof Product>;
export type RetailVariant = z.output<typeof Variant>;
export type RetailPaymentMethod = z.output<typeof PaymentMethod>;
