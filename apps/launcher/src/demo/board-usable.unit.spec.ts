import { OVMF_CODE, OVMF_VARS } from "@statecast/board";
import {
  BOARD_TOOLS,
  type BoardHost,
  boardUnavailableReason,
  GRUB_EFI_MODULES,
  noBoardLine,
} from "./board-usable.js";

const AGENT = "/repo/apps/device-agent/dist/statecast-agent.js";

/** A host where everything the board needs is there, but what `missing` names. */
function host(missing: string[] = [], over: Partial<BoardHost> = {}): BoardHost {
  return {
    platform: "linux",
    uid: 0,
    onPath: (command) => !missing.includes(command),
    exists: (path) => !missing.includes(path),
    agentBundle: AGENT,
    ...over,
  };
}

describe("whether the demo can add its QEMU board", () => {
  it("can when every tool, the firmware and the agent bundle are there", () => {
    expect(boardUnavailableReason(host())).toBeUndefined();
  });

  it("cannot off Linux or as another user than root", () => {
    expect(boardUnavailableReason(host([], { platform: "darwin" }))).toBe("not Linux");
    expect(boardUnavailableReason(host([], { uid: 1000 }))).toMatch(/^not running as root/);
  });

  it("names a missing tool and the Debian package that brings it", () => {
    expect(boardUnavailableReason(host(["qemu-system-x86_64"]))).toBe(
      "qemu-system-x86_64 not found (apt-get install qemu-system-x86)",
    );
    expect(boardUnavailableReason(host(["mcopy"]))).toBe(
      "mcopy not found (apt-get install mtools)",
    );
    for (const [command, pkg] of BOARD_TOOLS)
      expect(boardUnavailableReason(host([command]))).toContain(`apt-get install ${pkg}`);
  });

  it("names missing firmware, GRUB's EFI modules, runtime binaries and the agent bundle", () => {
    expect(boardUnavailableReason(host([OVMF_CODE]))).toBe(
      `${OVMF_CODE} missing (apt-get install ovmf)`,
    );
    expect(boardUnavailableReason(host([OVMF_VARS]))).toContain("ovmf");
    expect(boardUnavailableReason(host([GRUB_EFI_MODULES]))).toContain("grub-efi-amd64-bin");
    expect(boardUnavailableReason(host(["/usr/bin/lxc-start", "/usr/bin/xdelta3"]))).toBe(
      "the board's runtime needs /usr/bin/lxc-start, /usr/bin/xdelta3 on this host (node scripts/setup.mjs)",
    );
    expect(boardUnavailableReason(host([AGENT]))).toBe(`${AGENT} missing (npm run build)`);
  });

  it("gives the first reason only, in one line that says how to leave the board out", () => {
    const why = boardUnavailableReason(host(["socat", OVMF_CODE], { uid: 1000 })) as string;
    expect(why).toMatch(/^not running as root/);
    const line = noBoardLine(why);
    expect(line.split("\n")).toHaveLength(1);
    expect(line).toBe(
      `no QEMU board in the demo: ${why} (STATECAST_DEMO_BOARD=off leaves it out silently)`,
    );
  });
});
