import { randomUUID } from "node:crypto";
import { enrollmentSecretTokenId, generateEnrollmentSecret } from "./enrollment-token.js";

const tokenId = randomUUID();
const secret = generateEnrollmentSecret(tokenId);

describe("enrollment token secrets", () => {
  it("name their token and are never the same twice", () => {
    expect(secret).toMatch(/^sce_[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
    expect(enrollmentSecretTokenId(secret)).toBe(tokenId);
    expect(generateEnrollmentSecret(tokenId)).not.toBe(secret);
    expect(enrollmentSecretTokenId("sct_not-an-enrollment-token")).toBeUndefined();
    expect(enrollmentSecretTokenId(`${secret}x`)).toBeUndefined();
  });
});
