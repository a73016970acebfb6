import { processCpuSeconds, qemuArgs } from "./qemu.js";

describe("qemuArgs", () => {
  const args = qemuArgs({ image: "/b/board.img", runDir: "/b/run", forwards: [] });
  const after = (flag: string) => args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));

  it("ends QEMU at every reset (the runner powers the board on again) and keeps the watchdog's reset", () => {
    expect(after("-action")).toEqual(["watchdog=reset", "reboot=shutdown"]);
  });

  it("appends the serial console to one log across the boots' QEMU processes", () => {
    expect(after("-chardev")).toEqual(["file,id=serial0,path=/b/run/serial.log,append=on"]);
    expect(after("-serial")).toEqual(["chardev:serial0"]);
  });
});

describe("processCpuSeconds", () => {
  it("reads this process's CPU time and says undefined for a process that is gone", () => {
    expect(processCpuSeconds(process.pid)).toBeGreaterThan(0);
    expect(processCpuSeconds(2 ** 22 + 1)).toBeUndefined();
  });
});
