import { AppError } from "../errors.js";
import { COMMON_PASSWORDS } from "./common-passwords.js";

/** NIST SP 800-63B § 5.1.1.2: at least 8 characters, long passphrases allowed, no composition rules. */
export const MIN_PASSWORD_CHARACTERS = 8;
/** Long enough for any passphrase; bounds the hashing work one request can ask for. */
export const MAX_PASSWORD_CHARACTERS = 256;

/**
 * Refuses a password NIST SP 800-63B would refuse: too short (counted in Unicode code points, after NFKC), a
 * well-known breached password, one character repeated, or the account's own email. Nothing else: no "must contain a
 * digit" rules.
 */
export function checkPasswordPolicy(password: string, context: { email?: string } = {}, field = "password"): void {
  const normalised = password.normalize("NFKC");
  const length = [...normalised].length;
  if (length < MIN_PASSWORD_CHARACTERS)
    throw new AppError("validation_failed", `${field} must have at least ${MIN_PASSWORD_CHARACTERS} characters`, { field });
  if (length > MAX_PASSWORD_CHARACTERS)
    throw new AppError("validation_failed", `${field} must have at most ${MAX_PASSWORD_CHARACTERS} characters`, { field });
  const lower = normalised.toLowerCase();
  const refused =
    COMMON_PASSWORDS.has(lower) ||
    new Set(lower).size === 1 ||
    (context.email !== undefined && (lower === context.email.toLowerCase() || lower === context.email.toLowerCase().split("@")[0]));
  if (refused) throw new AppError("validation_failed", `${field} is too common or too easy to guess; choose another`, { field });
}
