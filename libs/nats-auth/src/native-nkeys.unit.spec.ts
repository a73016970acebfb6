import { createAccount, createOperator, createUser, fromPublic } from "@nats-io/nkeys";
import { ValidationError } from "@statecast/contract";
import { nativeKeyPair } from "./native-nkeys.js";

describe("nativeKeyPair", () => {
  it.each([
    ["user", createUser()],
    ["account", createAccount()],
    ["operator", createOperator()],
  ])(
    "matches @nats-io/nkeys for a %s key: same public key, same signatures",
    (_kind, reference) => {
      const native = nativeKeyPair(reference.getSeed());
      expect(native.getPublicKey()).toBe(reference.getPublicKey());
      expect(new TextDecoder().decode(native.getPrivateKey())).toBe(
        new TextDecoder().decode(reference.getPrivateKey()),
      );
      const message = new TextEncoder().encode("nonce-1234");
      const signature = native.sign(message);
      expect(signature).toEqual(reference.sign(message)); // Ed25519 is deterministic
      expect(fromPublic(native.getPublicKey()).verify(message, signature)).toBe(true);
      expect(native.verify(message, signature)).toBe(true);
      expect(new TextDecoder().decode(native.getSeed())).toBe(
        new TextDecoder().decode(reference.getSeed()),
      );
    },
  );

  it("refuses text that is not a seed, with a checksum or type error and no echo", () => {
    const seed = new TextDecoder().decode(createUser().getSeed());
    const corrupted = `${seed.slice(0, 10)}${seed[10] === "A" ? "B" : "A"}${seed.slice(11)}`;
    expect(() => nativeKeyPair(corrupted)).toThrow(ValidationError);
    expect(() => nativeKeyPair(createUser().getPublicKey())).toThrow(ValidationError);
    expect(() => nativeKeyPair("not base32!")).toThrow(/base32/);
  });
});
