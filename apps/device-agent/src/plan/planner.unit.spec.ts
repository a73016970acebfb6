import type { GroupSpec, PartSpec, RevisionSpec } from "../model/revision.js";
import { needsReboot, planReconcile, planSteps } from "./planner.js";

const groups: GroupSpec[] = [
  { name: "root", statusGoal: "STARTED", restartPolicy: "system", timeoutMs: 30_000 },
  { name: "app", statusGoal: "STARTED", restartPolicy: "container", timeoutMs: 30_000 },
];

function aPart(
  name: string,
  group: string,
  version = "1",
  extra: Partial<PartSpec> = {},
): PartSpec {
  const digest = `${name}${version}`.padEnd(64, "0");
  return {
    name,
    group,
    statusGoal: "STARTED",
    restartPolicy: group === "app" ? "container" : "system",
    autoRecovery: undefined,
    volumes: [],
    configFiles: [],
    configKey: `${name}/lxc.container.conf`,
    rootVolumeKey: `${name}/root.tar`,
    rootVolumeKind: "tar",
    configObject: "c".repeat(64),
    rootObject: "d".repeat(64),
    digest,
    containerName: `${name}.${digest.slice(0, 12)}`,
    ...extra,
  };
}

function aRevision(id: string, parts: PartSpec[], system = "bsp1"): RevisionSpec {
  return {
    id: id.repeat(64).slice(0, 64),
    ref: `r${id}`,
    groups,
    parts,
    systemDigest: system,
    objects: [],
    state: {},
  };
}

const actions = (steps: { action: string }[]) => steps.map((s) => s.action);

describe("planSteps", () => {
  const net = aPart("net", "root");
  const web = aPart("web", "app");
  const v1 = aRevision("a", [net, web]);

  it("plans a fresh install as a reboot transition: try, groups in order, TESTING, commit DONE", () => {
    const steps = planSteps({ committed: undefined, containers: [] }, v1);
    expect(actions(steps)).toEqual([
      "beginTry",
      "prepareContainer",
      "startContainer",
      "awaitGroup",
      "prepareContainer",
      "startContainer",
      "awaitGroup",
      "awaitCommitDelay",
      "commit",
    ]);
    expect(steps.at(-1)).toEqual({ action: "commit", revision: v1.id, outcome: "DONE" });
    expect(
      steps.filter((s) => s.action === "awaitGroup").map((s) => (s as { group: string }).group),
    ).toEqual(["root", "app"]);
  });

  it("is empty when the target is the committed revision", () => {
    expect(
      planSteps({ committed: v1, containers: [net.containerName, web.containerName] }, v1),
    ).toEqual([]);
  });

  it("restarts only a changed container-policy part and commits UPDATED", () => {
    const web2 = aPart("web", "app", "2");
    const v2 = aRevision("b", [net, web2]);
    const steps = planSteps(
      { committed: v1, containers: [net.containerName, web.containerName] },
      v2,
    );
    expect(steps).toEqual([
      { action: "beginTry", revision: v2.id },
      { action: "stopContainer", name: web.containerName },
      { action: "prepareContainer", revision: v2.id, part: web2 },
      { action: "startContainer", revision: v2.id, part: web2 },
      { action: "awaitGroup", group: "app", parts: [web2], timeoutMs: 30_000 },
      {
        action: "awaitCommitDelay",
        revision: v2.id,
        watch: [net.containerName, web2.containerName],
      },
      { action: "commit", revision: v2.id, outcome: "UPDATED" },
    ]);
  });

  it("reboots (stops everything, app first) when the bsp changes", () => {
    const v2 = aRevision("b", [net, web], "bsp2");
    const steps = planSteps(
      { committed: v1, containers: [net.containerName, web.containerName] },
      v2,
    );
    expect(steps.slice(0, 3)).toEqual([
      { action: "beginTry", revision: v2.id },
      { action: "stopContainer", name: web.containerName },
      { action: "stopContainer", name: net.containerName },
    ]);
    expect(steps.at(-1)).toMatchObject({ outcome: "DONE" });
  });

  it("reboots when a system-policy part changes, not when only container parts do", () => {
    expect(needsReboot(v1, aRevision("b", [aPart("net", "root", "2"), web]))).toBe(true);
    expect(needsReboot(v1, aRevision("b", [net, aPart("web", "app", "2")]))).toBe(false);
    expect(needsReboot(v1, aRevision("b", [net]))).toBe(false);
    expect(needsReboot(v1, aRevision("b", [net, web, aPart("db", "root")]))).toBe(true);
  });

  it("does not start a MOUNTED-goal part, only prepares it", () => {
    const data = aPart("data", "root", "1", { statusGoal: "MOUNTED" });
    const steps = planSteps({ committed: undefined, containers: [] }, aRevision("c", [data]));
    expect(actions(steps)).toEqual([
      "beginTry",
      "prepareContainer",
      "awaitGroup",
      "awaitCommitDelay",
      "commit",
    ]);
    expect(steps.find((s) => s.action === "awaitCommitDelay")).toMatchObject({ watch: [] });
  });
});

describe("planReconcile", () => {
  const net = aPart("net", "root");
  const web = aPart("web", "app");
  const v1 = aRevision("a", [net, web]);

  it("removes orphans and starts what is missing, keeping what runs", () => {
    const steps = planReconcile(["web.stale0000000", net.containerName], v1);
    expect(steps).toEqual([
      { action: "stopContainer", name: "web.stale0000000" },
      { action: "prepareContainer", revision: v1.id, part: web },
      { action: "startContainer", revision: v1.id, part: web },
      { action: "awaitGroup", group: "app", parts: [web], timeoutMs: 30_000 },
    ]);
  });

  it("stops everything when there is no committed revision", () => {
    expect(planReconcile(["x", "y"], undefined)).toEqual([
      { action: "stopContainer", name: "x" },
      { action: "stopContainer", name: "y" },
    ]);
  });

  it("does nothing when the device already runs exactly the revision", () => {
    expect(planReconcile([net.containerName, web.containerName], v1)).toEqual([]);
  });
});
