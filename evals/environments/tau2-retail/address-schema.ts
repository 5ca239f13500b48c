import { z } from 'zod';

/** The address fields tau2's address-changing tools take, each described for the model. */
export const addressFields = {
  address1: z.string().describe("The first line of the address, such as '123 Main St'"),
  address2: z.string().describe("The second line of the address, such as 'Apt 1', or '' when there is none"),
  city: z.string().describe("The city, such as 'San Francisco'"),
  state: z.string().describe("The state, such as 'CA'"),
  country: z.string().describe("The country, such as 'USA'"),
  zip: z.string().describe("The zip code, such as '12345'"),
};

export const orderIdField = z
  .string()
  .describe("The order id, such as '#W0000000'; note the '#' at the beginning");

export const paymentMethodIdField = z
  .string()
  .describe("A payment method id of the user, such as 'gift_card_0000000' or 'credit_card_0000000'");
