import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cpuPercent, readCpuTimes, readDisk, readMemory, readUptime } from "./proc-readings.js";

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
});
