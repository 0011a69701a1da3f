import { expect } from "chai";
import { hashPassword, verifyPassword } from "../../src/accounts/password-hash.js";
import { checkPasswordPolicy } from "../../src/accounts/password-policy.js";

describe("password hashes (scrypt)", () => {
  describe("when a password is hashed twice", () => {
    it("gives two different hashes (own salt each) that both verify it, and nothing else", async () => {
      const [one, two] = await Promise.all([hashPassword("correct horse battery staple", 10), hashPassword("correct horse battery staple", 10)]);
      expect(one).to.match(/^scrypt\$10\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
      expect(one).to.not.equal(two);
      expect(await verifyPassword("correct horse battery staple", one)).to.equal(true);
      expect(await verifyPassword("correct horse battery stapler", two)).to.equal(false);
    });
  });

  describe("when the stored hash is malformed or asks for absurd work (edited attributes)", () => {
    it("answers false without deriving anything", async () => {
      const good = await hashPassword("correct horse battery staple", 10);
      const [, , r, p, salt, key] = good.split("$");
      for (const bad of ["", "bcrypt$x", `scrypt$30$${r}$${p}$${salt}$${key}`, `scrypt$10$8$64$${salt}$${key}`, `scrypt$10$1024$1$${salt}$${key}`]) {
        expect(await verifyPassword("correct horse battery staple", bad), bad).to.equal(false);
      }
    });
  });
});

describe("password policy (NIST SP 800-63B)", () => {
  it("takes long passphrases and unusual characters, refuses short, common, repeated and the email", () => {
    expect(() => checkPasswordPolicy("ünïcödé pässwörd ✓")).to.not.throw();
    expect(() => checkPasswordPolicy("x".repeat(256))).to.throw(/too common or too easy/);
    expect(() => checkPasswordPolicy("y".repeat(257))).to.throw(/at most 256/);
    for (const refused of ["1234567", "Password1", "qwertyuiop", "ann@x.example"]) {
      expect(() => checkPasswordPolicy(refused, { email: "ann@x.example" }), refused).to.throw();
    }
  });
});
