import { bootedRevision, bootMarkers, classifyBoardBoot, classifyHostStart } from "./booted.js";

const A = "a".repeat(64);
const B = "b".repeat(64);

describe("which revision booted", () => {
  it("reads statecast.rev= from the kernel command line (last wins, sha256 only)", () => {
    expect(bootedRevision(`BOOT_IMAGE=/linux statecast.rev=${A} console=ttyS0\n`)).toBe(A);
    expect(bootedRevision(`statecast.rev=${A} statecast.rev=${B}`)).toBe(B);
    expect(bootedRevision("console=ttyS0 quiet")).toBeUndefined();
    expect(bootedRevision("statecast.rev=../../etc")).toBeUndefined();
  });

  it("keeps the other statecast.* arguments as markers for reports, safe ones only", () => {
    expect(
      bootMarkers(
        `statecast.rev=${A} statecast.boot=try quiet statecast.marker=v2 statecast.x=a;b`,
      ),
    ).toEqual(["statecast.boot=try", "statecast.marker=v2"]);
  });
});

describe("board boot cases (the bootloader latches pv_trying)", () => {
  it("booting the try the bootloader latched is the try boot, not a failure", () => {
    expect(classifyBoardBoot({ pv_rev: A, pv_try: B, pv_trying: B }, B)).toEqual({
      kind: "try",
      revision: B,
    });
  });

  it("GRUB's fallback evidence (pv_failed) is a failed try", () => {
    const env = { pv_rev: A, pv_try: "", pv_trying: "", pv_failed: B };
    expect(classifyBoardBoot(env, A)).toEqual({ kind: "failed", revision: B });
  });

  it("booting pv_rev while the latch names the try (U-Boot keeps it) is a failed try", () => {
    expect(classifyBoardBoot({ pv_rev: A, pv_try: B, pv_trying: B }, A)).toEqual({
      kind: "failed",
      revision: B,
    });
  });

  it("a try set but not yet latched, booted pv_rev: the reboot is still due", () => {
    expect(classifyBoardBoot({ pv_rev: A, pv_try: B, pv_trying: "" }, A)).toEqual({
      kind: "pending",
      revision: B,
    });
  });

  it("nothing pending is steady, with or without a command-line revision", () => {
    expect(classifyBoardBoot({ pv_rev: A, pv_try: "", pv_trying: "" }, A)).toEqual({
      kind: "steady",
    });
    expect(classifyBoardBoot({ pv_rev: A, pv_try: "", pv_trying: "" }, undefined)).toEqual({
      kind: "steady",
    });
  });
});

describe("host-process starts (the agent's supervisor latches)", () => {
  it("an agent restart that finds its own latch set abandons the try", () => {
    expect(classifyHostStart({ pv_rev: A, pv_try: B, pv_trying: B })).toEqual({
      kind: "abandoned",
      revision: B,
    });
    expect(classifyHostStart({ pv_rev: A, pv_try: "", pv_trying: "" })).toEqual({
      kind: "steady",
    });
  });
});
