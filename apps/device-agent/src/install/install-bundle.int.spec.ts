import { execFileSync } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeProtectedHeader, readBundle } from "@statecast/state";
import { DeviceUnderTest } from "../testing/harness.test-helper.js";
import { installBundle } from "./install-bundle.js";

const BUNDLE = fileURLToPath(
  new URL("../../../../../shared/fixtures/pantavisor/pvwificonnect.tgz", import.meta.url),
);

/** The key in the bundle's own signature header, as an operator would provision it. */
function bundleSignerPem(state: Record<string, unknown>): string {
  const sig = state["_sigs/pvwificonnect.json"] as { protected: string };
  const { jwk } = decodeProtectedHeader(sig.protected) as { jwk: object };
  return createPublicKey({ key: jwk as never, format: "jwk" })
    .export({ type: "spki", format: "pem" })
    .toString();
}

describe("offline install of the real pvwificonnect bundle", () => {
  let device: DeviceUnderTest;
  afterEach(() => device.dispose());

  it("verifies its RS256 signature and objects, stages it and mounts its squashfs rootfs", async () => {
    const { state } = await readBundle(createReadStream(BUNDLE));
    device = new DeviceUnderTest({
      mountOnly: true,
      trustPolicy: {
        mode: "lenient",
        trusted: [{ pem: bundleSignerPem(state), name: "pantacor" }],
      },
    });
    await device.agent.start();

    const report = await installBundle(device.agent, BUNDLE, "pvwificonnect-bundle");

    expect(report).toMatchObject({ status: "DONE", revision: "pvwificonnect-bundle" });
    expect(await device.statuses()).toEqual([
      "QUEUED",
      "DOWNLOADING",
      "INPROGRESS",
      "TESTING",
      "DONE",
    ]);
    const [part] = device.agent.committedRevision!.parts;
    const dirs = device.agent.store.containerDirs(part!.containerName);
    expect(execFileSync("findmnt", ["-n", "-o", "FSTYPE", dirs.rootfs]).toString().trim()).toBe(
      "overlay",
    );
    expect(existsSync(join(dirs.rootfs, "app/pvwificonnect"))).toBe(true);
    expect(await device.runtime.state(part!.containerName)).toBe("STOPPED");
    expect(await device.agent.store.hasObject(state["pvwificonnect/root.squashfs"] as string)).toBe(
      true,
    );
  });

  // src.json is excluded by the part's signature, which counts as covered (Pantavisor's strict
  // mode); #spec is signed by nothing in this bundle.
  it("refuses it under the default strict policy: #spec is not signed", async () => {
    const { state } = await readBundle(createReadStream(BUNDLE));
    device = new DeviceUnderTest({
      mountOnly: true,
      trustPolicy: { mode: "strict", trusted: [{ pem: bundleSignerPem(state), name: "pantacor" }] },
    });
    await device.agent.start();
    const report = await installBundle(device.agent, BUNDLE);
    expect(report).toMatchObject({ status: "WONTGO", reason: "signature_invalid" });
    expect(report.message).toContain("#spec");
    expect(report.message).not.toContain("pvwificonnect/src.json");
    expect(await device.runtime.list()).toEqual([]);
  });
});
