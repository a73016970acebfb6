import type { State } from "@statecast/state";

/** A one-container state (part `app`) whose config and rootfs are the objects named. */
export function anAppState(confSha: string, rootfsSha: string, restartPolicy = "container"): State {
  return {
    "#spec": "pantavisor-service-system@1",
    "app/run.json": {
      "#spec": "service-manifest-run@1",
      name: "app",
      type: "lxc",
      config: "lxc.container.conf",
      "root-volume": "root.squashfs",
      volumes: [],
      storage: {},
      status_goal: "STARTED",
      restart_policy: restartPolicy,
    },
    "app/lxc.container.conf": confSha,
    "app/root.squashfs": rootfsSha,
  } as State;
}
