import type { AppSpec, Persistence } from "./app-spec.js";
import { storageName } from "./app-spec.js";
import type { ImageConfig } from "./image-config.js";
import type { ImageRef } from "./image-ref.js";
import { volumePaths } from "./lxc-config.js";

/** `<name>/run.json` (`service-manifest-run@1`) for an image-based container. */
export function runJson(app: AppSpec, image: ImageConfig, rootVolume: string) {
  const persistence = new Map<string, Persistence>(
    app.volumes.map((v) => [storageName(v.path), v.persistence]),
  );
  const storage: Record<string, { persistence: Persistence }> = {};
  for (const path of volumePaths(app, image)) {
    const name = storageName(path);
    storage[name] = { persistence: persistence.get(name) ?? "permanent" };
  }
  storage["lxc-overlay"] = { persistence: "boot" };
  return {
    "#spec": "service-manifest-run@1",
    config: "lxc.container.conf",
    drivers: { manual: [], optional: [], required: [] },
    group: app.group,
    name: app.name,
    restart_policy: app.restartPolicy,
    "root-volume": rootVolume,
    status_goal: app.statusGoal,
    storage,
    type: "lxc",
    volumes: [],
  };
}

/** `<name>/src.json` (`service-manifest-src@1`): where the container came from. */
export function srcJson(
  app: AppSpec,
  ref: ImageRef,
  image: ImageConfig,
  digests: { source: string; manifest: string },
) {
  const name =
    ref.transport === "docker"
      ? `${ref.registry}/${ref.repository}`
      : ref.transport === "oci"
        ? ref.dir
        : ref.file;
  return {
    "#spec": "service-manifest-src@1",
    args: {
      PV_GROUP: app.group,
      PV_RESTART_POLICY: app.restartPolicy,
      PV_STATUS_GOAL: app.statusGoal,
      PV_VOLUMES: app.volumes.map((v) => `${v.path}:${v.persistence}`),
    },
    docker_config: image.raw,
    docker_digest: digests.source,
    docker_name: name,
    docker_platform: image.platform,
    docker_source: ref.transport === "docker" ? "remote" : "local",
    docker_tag: ref.transport === "docker" ? ref.tag : ref.transport === "oci" ? ref.tag : null,
    oci_manifest_digest: digests.manifest,
    source_ref: ref.skopeo,
    template: "statecast-lxc-oci",
  };
}
