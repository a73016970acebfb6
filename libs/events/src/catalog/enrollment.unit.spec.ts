import { createRegistry } from "../registry.js";
import { deviceCatalog } from "./device.js";
import { enrollmentCatalog, enrollmentTokenStreamId } from "./enrollment.js";

describe("enrollment token catalog", () => {
  const registry = createRegistry(deviceCatalog, enrollmentCatalog);
  const tokenId = "3f1c1c1e-2b7a-4b8e-9d7e-0a6f1a2b3c4d";
  const created = { tokenId, fleet: "lab", secretHash: "a".repeat(64) };

  it("composes with the device catalog and defaults tags to none", () => {
    expect(registry.has("EnrollmentTokenUsed")).toBe(true);
    expect(registry.validate("EnrollmentTokenCreated", created).data).toEqual({
      ...created,
      tags: {},
    });
    expect(enrollmentTokenStreamId(tokenId)).toBe(`enrollment-token:${tokenId}`);
  });

  it("refuses malformed token events, naming the field, and never takes a secret", () => {
    const bad: [string, unknown, RegExp][] = [
      ["EnrollmentTokenCreated", { ...created, secretHash: "sce_secret" }, /secretHash/],
      ["EnrollmentTokenCreated", { ...created, secret: "sce_x" }, /secret/],
      ["EnrollmentTokenCreated", { ...created, maxUses: 0 }, /maxUses/],
      ["EnrollmentTokenCreated", { ...created, expiresAt: "tomorrow" }, /expiresAt/],
      ["EnrollmentTokenCreated", { ...created, tags: { "": "x" } }, /tags/],
      [
        "EnrollmentTokenCreated",
        { ...created, tags: Object.fromEntries([...Array(65)].map((_, i) => [`k${i}`, "v"])) },
        /at most 64 tags/,
      ],
      ["EnrollmentTokenUsed", { deviceId: "d", publicKey: "SUAAA" }, /publicKey/],
      ["EnrollmentTokenRevoked", { reason: "x".repeat(5000) }, /reason/],
    ];
    for (const [type, data, field] of bad) {
      expect(() => registry.validate(type, data), type).toThrow(field);
    }
    expect(() => enrollmentTokenStreamId("not-a-uuid")).toThrow(/UUID/);
  });
});
