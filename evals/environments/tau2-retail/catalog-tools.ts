import { z } from 'zod';
import { type AnyToolDefinition, defineTool } from '../../../tools/define-tool.js';
import type { RetailStore } from './retail-store.js';

/** Reading the product catalogue: product types, their variants (items), prices and availability. */
export function catalogTools(store: RetailStore): AnyToolDefinition[] {
  return [
    defineTool({
      name: 'list_all_product_types',
      description: 'List the name and product id of every product type (there are 50), sorted by name.',
      schema: z.object({}),
      idempotent: true,
      // tau2 returns a JSON string of name → product id with sorted keys.
      execute: () => {
        const byName = Object.values(store.db.products)
          .map((product) => [product.name, product.product_id] as const)
          .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
        return JSON.stringify(Object.fromEntries(byName));
      },
    }),
    defineTool({
      name: 'get_product_details',
      description: 'Get the details of a product type: every variant (item) with its options, price and availability.',
      schema: z.object({
        product_id: z.string().describe("The product id, such as '6086499569'; not an item id"),
      }),
      idempotent: true,
      execute: ({ product_id: productId }) => structuredClone(store.product(productId)),
    }),
    defineTool({
      name: 'get_item_details',
      description: 'Get the details of one item (a product variant): options, price and availability.',
      schema: z.object({ item_id: z.string().describe("The item id, such as '6086499569'; not a product id") }),
      idempotent: true,
      execute: ({ item_id: itemId }) => structuredClone(store.item(itemId)),
    }),
  ];
}
