// Territory on the phone: an engineer writes offers, visits and leads for the customers of their
// own territory and of those an admin allowed them. The worker decides; the phone only refuses
// early when it knows both the engineer's territories and the customer's.

/** The territories the signed-in user may sell in, or null when the phone does not know them
 * (a session from a server that does not send `extra_territories`). */
export function allowedTerritories(user) {
  if (!user || !user.territory_code || !Array.isArray(user.extra_territories)) return null;
  return [user.territory_code, ...user.extra_territories];
}

/** Why `user` may not write for `customer` (the worker's words), or null. */
export function territoryRefusal(user, customer) {
  const allowed = allowedTerritories(user);
  if (!allowed || !customer || !customer.territory || allowed.includes(customer.territory)) return null;
  const where = customer.city ? ` (${customer.city})` : '';
  return `Customer ${customer.customer_id}${where} is outside your territory ${allowed[0]}: `
    + `ask an admin to allow ${customer.territory}`;
}
