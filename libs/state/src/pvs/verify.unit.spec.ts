import { createPublicKey } from "node:crypto";
import { isJsonObject } from "../json/json-value.js";
import type { State } from "../model/types.js";
import { fixtureState, fixtureStateNames, x5cPems } from "../testing/fixtures.test-helper.js";
import { decodeProtectedHeader } from "./jws.js";
import type { TrustPolicy } from "./trust.js";
import { verifyState } from "./verify.js";

function sigKeys(state: State): string[] {
  return Object.keys(state).filter((k) => k.startsWith("_sigs/"));
}

// The fixtures' root CA is not shipped; their chains end in a sub-CA, which we trust.
function caTrust(state: State, mode: TrustPolicy["mode"] = "lenient"): TrustPolicy {
  const pems = new Set(sigKeys(state).map((k) => x5cPems(state, k).at(-1) ?? ""));
  return { mode, trusted: [...pems].map((pem, i) => ({ pem, name: `ca${i}` })) };
}

function jwkPem(state: State, sigKey: string): string {
  const entry = state[sigKey];
  if (!isJsonObject(entry) || typeof entry.protected !== "string") throw new Error("no sig");
  const { jwk } = decodeProtectedHeader(entry.protected);
  return createPublicKey({ key: jwk as never, format: "jwk" }).export({
    type: "spki",
    format: "pem",
  }) as string;
}

describe("verifyState on the real fixtures", () => {
  it("verifies every RS256 and ES384 signature; _hostconfig covers nothing", () => {
    const seen = new Set<string>();
    for (const name of fixtureStateNames()) {
      const state = fixtureState(name);
      if (sigKeys(state).length === 0) continue;
      const report = verifyState(state, caTrust(state));
      expect(report.ok, name).toBe(true);
      for (const sig of report.signatures) {
        seen.add(sig.alg ?? "");
        const expected = sig.key === "_sigs/_hostconfig.json" ? "covers_nothing" : "valid";
        expect(sig.status, `${name} ${sig.key}: ${sig.reason}`).toBe(expected);
      }
    }
    expect([...seen].sort()).toEqual(["ES384", "RS256"]);
  });

  it("reports initial_state per signature with the uncovered keys", () => {
    const state = fixtureState("initial_state.json");
    const report = verifyState(state, caTrust(state));
    expect(report.signatures.map((s) => [s.key, s.status])).toEqual([
      ["_sigs/_hostconfig.json", "covers_nothing"],
      ["_sigs/awconnect.json", "valid"],
      ["_sigs/bsp.json", "valid"],
      ["_sigs/pv-avahi.json", "valid"],
      ["_sigs/pvr-sdk.json", "valid"],
    ]);
    const bsp = report.signatures.find((s) => s.key === "_sigs/bsp.json");
    expect(bsp?.covers).toEqual(expect.arrayContaining(["#spec", "device.json", "bsp/run.json"]));
    expect(bsp?.covers).not.toContain("bsp/src.json");
    // The */src.json and bsp/build.json keys are matched by pvr's excludes: accounted for, as in
    // Pantavisor's strict mode; the two mapping files are matched by no signature at all.
    expect(report.uncovered).toEqual(["network-mapping.json", "storage-mapping.json"]);
    expect(bsp?.excludes).toEqual(["bsp/build.json", "bsp/src.json"]);
    expect(verifyState(state, caTrust(state, "strict")).ok).toBe(false);
  });

  it("counts keys a valid signature excludes as covered in strict mode, as Pantavisor does", () => {
    // os.json as pvr signed it: `_sigs/os.json` includes os/** and excludes os/src.json.
    const state = fixtureState("os.json");
    expect(verifyState(state, caTrust(state, "strict")).uncovered).toEqual(["#spec"]);
    const { "#spec": _spec, ...withoutSpec } = state;
    const strict = verifyState(withoutSpec, caTrust(state, "strict"));
    expect(strict.uncovered).toEqual([]);
    expect(strict.ok).toBe(true);
  });

  it("reports a valid signature from an unknown key as untrusted, failing only in strict mode", () => {
    const state = fixtureState("bsp_init.json");
    const lenient = verifyState(state, { mode: "lenient", trusted: [] });
    expect(lenient.ok).toBe(true);
    expect(lenient.signatures[0]).toMatchObject({
      key: "_sigs/bsp.json",
      alg: "ES384",
      status: "untrusted_key",
      reason: "signature is valid but its key is not trusted",
    });
    expect(verifyState(state, { mode: "strict", trusted: [] }).ok).toBe(false);
  });

  it("trusts a bare public key, and only for the keys its patterns allow", () => {
    const state = fixtureState("os.json");
    const pem = jwkPem(state, "_sigs/os.json");
    expect(verifyState(state, { mode: "lenient", trusted: [{ pem }] }).signatures[0]?.status).toBe(
      "valid",
    );
    const scoped = verifyState(state, { mode: "lenient", trusted: [{ pem, keys: ["bsp/**"] }] });
    expect(scoped.signatures[0]).toMatchObject({ status: "untrusted_key" });
    expect(scoped.signatures[0]?.reason).toMatch(/^key is trusted but not for os\//);
  });

  it("fails a changed signed value and names the signature", () => {
    const state = fixtureState("initial_state.json");
    const run = state["pv-avahi/run.json"] as Record<string, unknown>;
    const tampered = { ...state, "pv-avahi/run.json": { ...run, status_goal: "READY" } } as State;
    const report = verifyState(tampered, caTrust(state));
    expect(report.ok).toBe(false);
    const bad = report.signatures.filter((s) => s.status === "invalid");
    expect(bad.map((s) => [s.key, s.reason])).toEqual([
      ["_sigs/pv-avahi.json", "signature does not match the signed keys"],
    ]);
    expect(report.uncovered).toContain("pv-avahi/run.json");
  });

  it("fails a key added under a signed part", () => {
    const state = fixtureState("bsp_update.json");
    const report = verifyState({ ...state, "bsp/evil.img": "e".repeat(64) }, caTrust(state));
    expect(report.signatures.map((s) => [s.key, s.status])).toEqual([
      ["_sigs/bsp.json", "invalid"],
    ]);
    expect(report.ok).toBe(false);
  });

  it("checks certificate validity when asked to (these test certificates expired in 2024)", () => {
    const state = fixtureState("os.json");
    const report = verifyState(state, {
      ...caTrust(state),
      certificatesValidAt: new Date("2030-01-01"),
    });
    expect(report.signatures[0]?.status).toBe("invalid");
    expect(report.signatures[0]?.reason).toMatch(/^x5c\[0\] .* is not valid at 2030-01-01/);
    const inWindow = verifyState(state, {
      ...caTrust(state),
      certificatesValidAt: new Date("2023-01-01"),
    });
    expect(inWindow.signatures[0]?.status).toBe("valid");
  });

  it("reports hostile signature entries as invalid without throwing", () => {
    const state = fixtureState("os.json");
    const entries = [
      { "#spec": "pvs@2", protected: "!!!", signature: "" },
      {
        "#spec": "pvs@2",
        protected: Buffer.from('{"alg":"none","typ":"PVS"}').toString("base64url"),
        signature: "",
      },
      { "#spec": "pvs@2", protected: Buffer.from("[").toString("base64url"), signature: "" },
      "not an object",
    ];
    for (const entry of entries) {
      const report = verifyState({ ...state, "_sigs/x.json": entry } as State, caTrust(state));
      const sig = report.signatures.find((s) => s.key === "_sigs/x.json");
      expect(sig?.status).toBe("invalid");
      expect(report.ok).toBe(false);
    }
  });

  it("refuses a trust entry that holds no key", () => {
    expect(() =>
      verifyState({}, { mode: "lenient", trusted: [{ pem: "junk", name: "ops.pem" }] }),
    ).toThrow("ops.pem: no PEM public key or certificate found");
  });
});
