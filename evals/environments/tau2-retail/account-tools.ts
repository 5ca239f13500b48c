import { z } from 'zod';
import { type AnyToolDefinition, defineTool } from '../../../tools/define-tool.js';
import { addressFields, orderIdField } from './address-schema.js';
import { fail, foldForMatch, type RetailStore } from './retail-store.js';

/** Finding and reading a customer's account and orders, and changing their default address. */
export function accountTools(store: RetailStore): AnyToolDefinition[] {
  return [
    defineTool({
      name: 'find_user_id_by_email',
      description: 'Find a user id by email. Use this first to authenticate the user.',
      schema: z.object({ email: z.string().describe("The user's email, such as 'something@example.com'") }),
      idempotent: true,
      execute: ({ email }) => {
        const wanted = foldForMatch(email);
        const user = Object.values(store.db.users).find((candidate) => foldForMatch(candidate.email) === wanted);
        return user?.user_id ?? fail('User not found');
      },
    }),
    defineTool({
      name: 'find_user_id_by_name_zip',
      description:
        'Find a user id by first name, last name and zip code. Only use it when the user cannot be found by email or does not remember their email.',
      schema: z.object({
        first_name: z.string().describe("The customer's first name, such as 'John'"),
        last_name: z.string().describe("The customer's last name, such as 'Doe'"),
        zip: z.string().describe("The customer's zip code, such as '12345'"),
      }),
      idempotent: true,
      // Names match regardless of case and accents (a spoken name carries none); the zip must match exactly.
      execute: ({ first_name: firstName, last_name: lastName, zip }) => {
        const user = Object.values(store.db.users).find(
          (candidate) =>
            foldForMatch(candidate.name.first_name) === foldForMatch(firstName) &&
            foldForMatch(candidate.name.last_name) === foldForMatch(lastName) &&
            candidate.address.zip === zip,
        );
        return user?.user_id ?? fail('User not found');
      },
    }),
    defineTool({
      name: 'get_user_details',
      description: 'Get the details of a user: name, address, email, payment methods and order ids.',
      schema: z.object({ user_id: z.string().describe("The user id, such as 'sara_doe_496'") }),
      idempotent: true,
      execute: ({ user_id: userId }) => structuredClone(store.user(userId)),
    }),
    defineTool({
      name: 'get_order_details',
      description: 'Get the status and details of an order: items, address, fulfilments and payments.',
      schema: z.object({ order_id: orderIdField }),
      idempotent: true,
      execute: ({ order_id: orderId }) => structuredClone(store.order(orderId)),
    }),
    defineTool({
      name: 'modify_user_address',
      description:
        "Modify the user's default address. Explain the change and get the user's explicit confirmation (yes) first.",
      schema: z.object({ user_id: z.string().describe("The user id, such as 'sara_doe_496'"), ...addressFields }),
      execute: ({ user_id: userId, address1, address2, city, state, country, zip }) => {
        const user = store.user(userId);
        user.address = { address1, address2, city, country, state, zip };
        return structuredClone(user);
      },
    }),
  ];
}
