import type { VerifyReport } from "@statecast/state";
import { unverifiedHint } from "./unverified-hint.js";

const report = (over: Partial<VerifyReport>): VerifyReport => ({
  ok: false,
  mode: "strict",
  signatures: [],
  uncovered: [],
  ...over,
});

describe("unverifiedHint", () => {
  it("says which part to sign after a part was added, in one line", () => {
    const hint = unverifiedHint(
      report({ uncovered: ["hello/lxc.container.conf", "hello/root.squashfs", "hello/run.json"] }),
    );
    expect(hint).toBe(
      "to fix: sign hello: statecast sign --part hello --key KEY; then statecast commit and post again (KEY: a key the fleet trusts)",
    );
  });

  it("says to re-sign a signature whose keys changed, and not to sign what it covers again", () => {
    const hint = unverifiedHint(
      report({
        signatures: [
          {
            key: "_sigs/bsp.json",
            status: "invalid",
            reason: "signature does not match the signed keys",
            covers: ["#spec", "bsp/run.json", "hello/run.json"],
          },
        ],
        uncovered: ["#spec", "bsp/run.json", "hello/run.json"],
      }),
    );
    expect(hint).toMatch(
      /^to fix: re-sign bsp \(their signed keys changed\): statecast sign --part bsp --key KEY; then/,
    );
    expect(hint).not.toContain("\n");
  });

  it("names a top-level key that no signature includes", () => {
    expect(unverifiedHint(report({ uncovered: ["#spec"] }))).toContain("--include '#spec'");
    expect(unverifiedHint(report({ signatures: [], uncovered: [] }))).toBeUndefined();
  });
});
