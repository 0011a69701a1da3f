import { dictionary } from "@zxcvbn-ts/language-common";

/**
 * Passwords NIST SP 800-63B § 5.1.1.2 asks verifiers to refuse: values from lists of commonly used or compromised
 * passwords. The list is zxcvbn-ts's `passwords-common` (49,233 entries ranked by frequency in public breach corpora;
 * a maintained, published list, bundled so no lookup leaves the process; 17,950 of them are long enough to pass the
 * length rule), lower-cased, plus the few below that such lists date too early to hold (years after the corpora were
 * compiled) or that name this product.
 */
const ADDITIONS = `
summer2020 summer2021 summer2022 summer2023 summer2024 summer2025 summer2026 winter2020 winter2021 winter2022
winter2023 winter2024 winter2025 winter2026 spring2024 spring2025 spring2026 autumn2024 autumn2025 autumn2026
welcome2023 welcome2024 welcome2025 welcome2026 password2020 password2021 password2022 password2023 password2024
password2025 password2026 qwerty2024 qwerty2025 qwerty2026 switchboard switchboard1 switchboard123
`;

export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  [...(dictionary["passwords-common"] as string[]), ...ADDITIONS.split(/\s+/)]
    .filter(Boolean)
    .map((entry) => entry.toLowerCase()),
);
