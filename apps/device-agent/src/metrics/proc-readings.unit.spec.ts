import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  cpuPercent,
  type HostReadings,
  readCpuTimes,
  readDisk,
  readMemory,
  readUptime,
  sharedHostReadings,
} from "./proc-readings.js";

describe("proc readings", () => {
  const proc = mkdtempSync(join(tmpdir(), "sc-proc-"));
  afterAll(() => rmSync(proc, { recursive: true, force: true }));

  it("reads uptime, CPU jiffies and memory as the kernel writes them", async () => {
    writeFileSync(join(proc, "uptime"), "3605.25 7000.10\n");
    writeFileSync(
      join(proc, "stat"),
      "cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\nintr 1 2\n",
    );
    writeFileSync(
      join(proc, "meminfo"),
      "MemTotal:        2048000 kB\nMemFree:          100000 kB\nMemAvailable:    1024000 kB\n",
    );
    expect(await readUptime(proc)).toBe(3605.25);
    expect(await readCpuTimes(proc)).toEqual({ busy: 150, total: 1000 });
    expect(await readMemory(proc)).toEqual({
      totalBytes: 2048000 * 1024,
      availableBytes: 1024000 * 1024,
    });
  });

  it("computes the busy share between two samples, bounded 0-100", () => {
    expect(cpuPercent({ busy: 150, total: 1000 }, { busy: 250, total: 1400 })).toBe(25);
    expect(cpuPercent({ busy: 0, total: 0 }, { busy: 150, total: 1000 })).toBe(15);
    expect(cpuPercent({ busy: 5, total: 10 }, { busy: 5, total: 10 })).toBe(0);
  });

  it("reads the real machine: /proc and statfs of a directory", async () => {
    expect(await readUptime()).toBeGreaterThan(0);
    const cpu = await readCpuTimes();
    expect(cpu.total).toBeGreaterThan(cpu.busy);
    const memory = await readMemory();
    expect(memory.availableBytes).toBeLessThanOrEqual(memory.totalBytes);
    const disk = await readDisk(proc);
    expect(disk.freeBytes).toBeGreaterThan(0);
    expect(disk.freeBytes).toBeLessThanOrEqual(disk.totalBytes);
  });

  it("names the file it could not read", async () => {
    writeFileSync(join(proc, "meminfo"), "MemTotal: 1 kB\n");
    await expect(readMemory(proc)).rejects.toThrow(/MemAvailable/);
  });

  it("shares one reading among the agents of a load generator, taken again once it is older than its age", async () => {
    let reads = 0;
    let fail = false;
    const base: HostReadings = {
      cpu: async () => ({ busy: ++reads, total: 100 }),
      uptime: async () => {
        if (fail) throw new Error("unreadable");
        return 1;
      },
      memory: async () => ({ totalBytes: 2, availableBytes: 1 }),
      disk: async (path) => ({ totalBytes: path.length, freeBytes: 0 }),
    };
    const shared = sharedHostReadings(50, base);
    expect(await Promise.all([shared.cpu(), shared.cpu(), shared.cpu()])).toEqual([
      { busy: 1, total: 100 },
      { busy: 1, total: 100 },
      { busy: 1, total: 100 },
    ]);
    await new Promise((r) => setTimeout(r, 80));
    expect(await shared.cpu()).toEqual({ busy: 2, total: 100 });
    expect(await shared.disk("/a")).toEqual(await shared.disk("/bbbb")); // one filesystem
    fail = true;
    await expect(shared.uptime()).rejects.toThrow("unreadable");
    fail = false;
    expect(await shared.uptime()).toBe(1); // a failure is not kept
  });
});
