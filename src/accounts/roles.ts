/** The roles of a tenant's people: one OWNER, any number of ADMINs and AGENTs. */
export const ROLES = ["OWNER", "ADMIN", "AGENT"] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => typeof value === "string" && (ROLES as readonly string[]).includes(value);

/** Externally minted JWTs (JWT_SECRET / JWT_PUBLIC_KEY) without a `role` claim keep today's full access to the inbox. */
export const EXTERNAL_TOKEN_DEFAULT_ROLE: Role = "ADMIN";
