/**
 * Content templates are account-wide on Twilio, while a tenant may share its account with others: the tenant that
 * created a template is written into its friendly name, `sb:<tenantId>:<name>`, so every instance (and anyone looking
 * in Twilio's console) can tell whose it is without a store of its own.
 */
const PREFIX = "sb:";

export const ownedName = (tenantId: string, friendlyName: string) => `${PREFIX}${tenantId}:${friendlyName}`;

/** The client's friendly name if `stored` belongs to `tenantId`; undefined otherwise. */
export function ownName(tenantId: string, stored: string): string | undefined {
  const prefix = `${PREFIX}${tenantId}:`;
  return stored.startsWith(prefix) ? stored.slice(prefix.length) : undefined;
}
