import type { ExitStatus } from "../recovery/auto-recovery.js";

/** Where one container's files live on the host. */
export interface ContainerDirs {
  root: string;
  /** The root filesystem LXC starts from (a directory or an overlay mount). */
  rootfs: string;
  /** Host side of the control socket directory, bind-mounted at /run/statecast. */
  control: string;
}

export type ContainerState = "RUNNING" | "STOPPED" | "STARTING" | "STOPPING" | "ABSENT";

/**
 * The container runtime the agent drives. `lxc` is the real one; `sim` simulates
 * containers for fleet-scale tests and is reported as `sim` everywhere.
 */
export interface ContainerRuntime {
  readonly kind: "lxc" | "sim";
  /** Containers defined in this agent's lxcpath. */
  list(): Promise<string[]>;
  state(name: string): Promise<ContainerState>;
  /** Makes `dirs.rootfs` hold the part's root volume (MOUNTED). */
  mountRootfs(
    name: string,
    kind: "squashfs" | "tar",
    objectPath: string,
    dirs: ContainerDirs,
  ): Promise<void>;
  /** Writes the container definition (its rendered LXC config). */
  define(name: string, config: string): Promise<void>;
  start(name: string): Promise<void>;
  /**
   * Called once a started container's control socket exists: a real app signals its own
   * readiness (LXC does nothing); `sim` signals for the app it simulates.
   */
  afterStart(name: string, dirs: ContainerDirs): Promise<void>;
  /** Whether the container's console goes to a log file in its LXC config (`lxc` only). */
  readonly logsConsole: boolean;
  /** How the container's init ended last time (undefined when unknown or still running). */
  exitStatus(name: string): Promise<ExitStatus>;
  /** Stops the container (kill), unmounts its rootfs and removes its definition and files. */
  remove(name: string, dirs: ContainerDirs): Promise<void>;
}
