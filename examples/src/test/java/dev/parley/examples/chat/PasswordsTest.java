package dev.parley.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordsTest {
  @Test
  void verifiesTheReferenceImplementationsVector() {
    // from the Argon2 reference implementation's README: echo -n password | argon2 somesalt -t 2 -m 16 -p 4 -l 24
    String reference = "$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG";
    assertThat(Passwords.verify("password", reference)).isTrue();
    assertThat(Passwords.verify("passwore", reference)).isFalse();
  }

  @Test
  void hashesWithArgon2idAndARandomSalt() {
    Passwords passwords = new Passwords(64, 2);
    String a = passwords.hash("correct horse");
    String b = passwords.hash("correct horse");
    assertThat(a).startsWith("$argon2id$v=19$m=64,t=2,p=1$").isNotEqualTo(b);
    assertThat(Passwords.verify("correct horse", a)).isTrue();
    assertThat(Passwords.verify("correct horse", b)).isTrue();
    assertThat(Passwords.verify("correct hors", a)).isFalse();
    assertThat(Passwords.verify("é and ü", passwords.hash("é and ü"))).isTrue();
  }

  @Test
  void anythingElseIsNoMatch() {
    assertThat(Passwords.verify("x", null)).isFalse();
    assertThat(Passwords.verify("x", "")).isFalse();
    assertThat(Passwords.verify("x", "$2y$10$abcdefghijklmnopqrstuu")).isFalse();
    assertThat(Passwords.verify("x", "$argon2id$v=19$m=4,t=1,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG")).isFalse();
    assertThat(Passwords.verify("x", "$argon2id$v=19$m=9999999,t=1,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"))
        .isFalse();
  }
}
