import { mkdtempSync, rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimRuntime } from "./sim-runtime.js";

const dirs = { root: "", rootfs: "", control: "" };

describe("sim runtime state", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sc-sim-state-"));
    Object.assign(dirs, { root: join(dir, "c"), rootfs: join(dir, "c", "rootfs") });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("follows define, start, an injected exit and remove, as a new instance reads them on disk", async () => {
    const sim = new SimRuntime(dir, { exitAfterMs: { app: 30 } }, 0);
    expect(await sim.state("app.1")).toBe("ABSENT");
    await sim.define("app.1", "config");
    expect(await sim.state("app.1")).toBe("STOPPED");
    expect(await new SimRuntime(dir).state("app.1")).toBe("STOPPED");
    await sim.start("app.1");
    expect(await sim.state("app.1")).toBe("RUNNING");
    expect(await new SimRuntime(dir).state("app.1")).toBe("RUNNING");
    await sim.define("app.1", "config again"); // defining a running container keeps it running
    expect(await sim.state("app.1")).toBe("RUNNING");
    await new Promise((r) => setTimeout(r, 200));
    expect(await sim.state("app.1")).toBe("STOPPED");
    expect(await new SimRuntime(dir).state("app.1")).toBe("STOPPED");
    await sim.remove("app.1", dirs);
    expect(await sim.state("app.1")).toBe("ABSENT");
    expect(await new SimRuntime(dir).state("app.1")).toBe("ABSENT");
  });

  it("reads a container's state from disk once, then answers from memory", async () => {
    const writer = new SimRuntime(dir, {}, 0);
    await writer.define("web.1", "config");
    await writer.start("web.1");
    const reader = new SimRuntime(dir); // an agent started again finds the container running
    expect(await reader.state("web.1")).toBe("RUNNING");
    // Only this instance writes its simpath: what it read stands until it changes it itself.
    await rm(join(dir, "web.1"), { recursive: true });
    expect(await reader.state("web.1")).toBe("RUNNING");
    expect(await new SimRuntime(dir).state("web.1")).toBe("ABSENT");
  });
});
