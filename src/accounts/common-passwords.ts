/**
 * Passwords of at least 8 characters that top the public breach-corpus frequency lists (the "most common passwords"
 * lists compiled from leaked password dumps), lower-cased. Shorter ones are refused by the length rule anyway.
 * NIST SP 800-63B § 5.1.1.2 asks verifiers to refuse passwords found in such lists. Bundled, so no lookup leaves
 * the process; extend it freely (one entry per line).
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  `
12345678 123456789 1234567890 12345678910 123123123 11111111 00000000 88888888 87654321 987654321 0987654321
11223344 12341234 1q2w3e4r 1q2w3e4r5t 1qaz2wsx 1qazxsw2 zaq12wsx zaq1zaq1 q1w2e3r4 q1w2e3r4t5 qwerty123 qwerty12
qwertyui qwertyuiop qwerty1234 asdfghjk asdfghjkl asdf1234 zxcvbnm1 zxcvbnm123 password password1 password12
password123 password1234 password! passw0rd p@ssw0rd p@ssword pa$$word passwort motdepasse contraseña
iloveyou iloveyou1 iloveyou2 princess1 sunshine sunshine1 football football1 baseball basketball superman
batman123 starwars trustno1 letmein1 letmein! welcome1 welcome123 welcome! whatever michelle jennifer
jessica1 charlie1 computer internet mustang1 corvette mercedes ferrari1 liverpool chelsea1 arsenal1 manchester
babygirl1 lovelove monkey123 dragon123 shadow123 master123 mypassword secret123 abcd1234 abc12345 abcdefgh
aa123456 a1234567 a12345678 qazwsxedc qwe12345 1234qwer 123qweasd 123456qwerty 123456789a 12345678a 1234567a
admin123 administrator admin1234 adminadmin rootroot changeme changeme123 default1 testtest test1234 test12345
guest123 user1234 login123 access14 football123 soccer123 hockey12 jordan23 michael1 nicole12 daniel12
samsung1 samsung123 google123 facebook linkedin1 twitter1 pokemon1 minecraft fortnite1 naruto123 blink182
loveme12 sweetheart butterfly chocolate cookie123 pepper12 summer2020 summer2021 summer2022 summer2023
summer2024 winter2020 winter2021 winter2022 winter2023 winter2024 spring2024 autumn2024 welcome2023 welcome2024
password2020 password2021 password2022 password2023 password2024 password2025 qwerty2024 january1 december
1password 123password password01 passw0rd1 pass1234 pass12345 temp1234 temporary trustme1 whatever1 hello123
helloworld hello1234 iloveu123 loveyou1 forever1 freedom1 anything nothing1 something everything
`
    .split(/\s+/)
    .filter(Boolean),
);
