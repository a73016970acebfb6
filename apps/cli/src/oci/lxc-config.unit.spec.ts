import { spawnSync } from "node:child_process";
import { renderLxcConfig } from "../../../device-agent/src/runtime/lxc-config.js";
import { appSpec, storageName, volume } from "./app-spec.js";
import type { ImageConfig } from "./image-config.js";
import { INIT_WRAPPER, initCommand } from "./init-command.js";
import { imageArgv, lxcContainerConf } from "./lxc-config.js";

const conf = (app: ReturnType<typeof appSpec>, img: ImageConfig, user = null) =>
  lxcContainerConf(app, img, "root.tar", user, initCommand(imageArgv(img)));

const image = (over: Partial<ImageConfig> = {}): ImageConfig => ({
  entrypoint: [],
  cmd: ["/bin/sh"],
  env: [],
  workingDir: "",
  user: "",
  volumes: [],
  platform: "linux/amd64",
  raw: {},
  ...over,
});

describe("app options", () => {
  it("defaults to the app group, STARTED and a container restart policy", () => {
    expect(appSpec("web", {})).toEqual({
      name: "web",
      group: "app",
      statusGoal: "STARTED",
      restartPolicy: "container",
      volumes: [],
    });
  });

  it.each([
    [() => appSpec("../x", {}), /not a valid container name/],
    [() => appSpec("bsp", {}), /not a valid container name/],
    [() => appSpec("web", { statusGoal: "RUNNING" }), /must be one of MOUNTED, STARTED, READY/],
    [() => appSpec("web", { restartPolicy: "always" }), /must be one of system, container/],
    [() => volume("var/lib"), /absolute container path/],
    [() => volume("/var/../etc"), /absolute container path/],
    [() => volume("/var/lib:forever"), /persistence must be one of/],
  ])("refuses bad input %#", (call, message) => {
    expect(call).toThrow(message);
  });

  it("names storage the way pvr does", () => {
    expect(storageName("/etc/NetworkManager/system-connections/")).toBe(
      "docker--etc-NetworkManager-system-connections",
    );
    expect(volume("/data")).toEqual({ path: "/data", persistence: "permanent" });
  });
});

describe("lxc.container.conf", () => {
  it("renders entrypoint, cmd, env, workdir, user and volumes", () => {
    const img = image({
      entrypoint: ["/bin/busybox"],
      cmd: ["httpd", "-f", "-h", "/www"],
      env: ["PATH=/bin", "A=b c"],
      workingDir: "/www",
      volumes: ["/data", "/cache"],
    });
    const rendered = lxcContainerConf(
      appSpec("web", { volume: ["/data:boot"] }),
      img,
      "root.squashfs",
      { uid: 33, gid: 34 },
      initCommand(imageArgv(img)),
    );
    expect(rendered.split("\n")).toEqual([
      "lxc.tty.max = 8",
      "lxc.pty.max = 1024",
      "lxc.rootfs.path = overlayfs:/volumes/web/root.squashfs:/volumes/web/lxc-overlay/upper",
      "lxc.init.cmd = /bin/busybox httpd -f -h /www",
      "lxc.init.cwd = /www",
      "lxc.init.uid = 33",
      "lxc.init.gid = 34",
      "lxc.environment = PATH=/bin",
      "lxc.environment = A=b c",
      "lxc.mount.auto = proc sys:mixed cgroup",
      "lxc.mount.entry = tmpfs run tmpfs rw,nodev,relatime,create=dir,mode=755 0 0",
      "lxc.mount.entry = /volumes/web/docker--data data none bind,rw,create=dir 0 0",
      "lxc.mount.entry = /volumes/web/docker--cache cache none bind,rw,create=dir 0 0",
      "",
    ]);
  });

  it("refuses images with nothing to run or values that would break the file", () => {
    const web = appSpec("web", {});
    expect(() => conf(web, image({ cmd: [] }))).toThrow(/neither Entrypoint nor Cmd/);
    expect(() => conf(web, image({ env: ["A=1\nlxc.x = y"] }))).toThrow(/spans lines/);
  });

  it("runs arguments LXC would split (blanks, quotes) through a wrapper that execs the same argv", () => {
    const argv = ["/bin/sh", "-c", "echo 'hello from app'; sleep 100000", 'a "b"', "it's"];
    const init = initCommand(argv);
    expect(init.cmd).toBe(INIT_WRAPPER);
    expect(init.wrapper?.split("\n").at(-2)).toBe(
      `exec '/bin/sh' '-c' 'echo '\\''hello from app'\\''; sleep 100000' 'a "b"' 'it'\\''s'`,
    );
    expect(conf(appSpec("hello", {}), image({ cmd: argv }))).toContain(
      `lxc.init.cmd = ${INIT_WRAPPER}\n`,
    );
    expect(initCommand(["/bin/httpd", "-f"])).toEqual({ cmd: "/bin/httpd -f" });
  });

  it("the wrapper gives /bin/sh exactly the image's arguments", () => {
    const argv = ["printf", "[%s]", "a b", "it's", 'say "hi"', "$HOME", "\\n", "", "x\ny"];
    const script = initCommand(argv).wrapper as string;
    const run = spawnSync("/bin/sh", ["-c", script.split("\n").slice(2).join("\n")], {
      encoding: "utf8",
    });
    expect(run.stdout).toBe(
      argv
        .slice(2)
        .map((a) => `[${a}]`)
        .join(""),
    );
  });

  it("emits an app part the device agent accepts, on a board and in the host-process mode", () => {
    const web = appSpec("web", {});
    const rendered = conf(web, image({ volumes: ["/data"] }));
    const dirs = { root: "/s/c", rootfs: "/s/c/rootfs", control: "/s/c/control" };
    for (const mode of ["board", "host-process"] as const) {
      const options = {
        name: "web.0",
        part: "web",
        dirs,
        logFile: "/s/c/log",
        scope: "app" as const,
      };
      expect(() => renderLxcConfig(rendered, { ...options, mode })).not.toThrow();
    }
  });
});
