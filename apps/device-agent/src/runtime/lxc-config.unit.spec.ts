import { LxcConfigRefused, renderLxcConfig } from "./lxc-config.js";
import { decideLine } from "./lxc-policy.js";

const dirs = { root: "/s/c/web", rootfs: "/s/c/web/rootfs", control: "/s/c/web/control" };
const render = (lines: string[], scope: "app" | "platform", mode: "board" | "host-process") =>
  renderLxcConfig(lines.join("\n"), {
    name: "web.0123",
    part: "web",
    dirs,
    logFile: "/s/c/web/lxc.log",
    scope,
    mode,
    volumes: { "/volumes/web/data": "/s/volumes/web/data" },
    configFiles: [{ source: "/s/trails/r/config/web/etc/app.conf", path: "etc/app.conf" }],
  });

describe("LXC config per key, by scope and mode", () => {
  it("host-process mode forces an empty network and drops namespaces and hooks", () => {
    const out = render(
      ["lxc.net.0.type = veth", "lxc.namespace.keep = net", "lxc.init.cmd = /init"],
      "app",
      "host-process",
    );
    expect(out).toContain("lxc.net.0.type = empty");
    expect(out).not.toMatch(/veth|namespace\.keep/);
    expect(out).toContain("lxc.init.cmd = /init");
  });

  it("board mode honours the part's network: kept host namespace, own config, or none given", () => {
    expect(render(["lxc.namespace.keep = net ipc"], "app", "board")).toMatch(
      /lxc\.namespace\.keep = net ipc\n(?!.*lxc\.net\.)/s,
    );
    const empty = render(["lxc.net.0.type = empty"], "app", "board");
    expect(empty.match(/lxc\.net\.0\.type = \w+/g)).toEqual(["lxc.net.0.type = empty"]);
    expect(render(["lxc.init.cmd = /init"], "app", "board")).toContain("lxc.net.0.type = none");
  });

  it("maps the part's volumes, copies of _config, drops agent-owned keys and Pantavisor host paths", () => {
    const out = render(
      [
        "lxc.rootfs.path = /evil",
        "lxc.apparmor.profile = generated",
        "lxc.mount.entry = /volumes/web/data data none bind,rw,create=dir 0 0",
        "lxc.mount.entry = /volumes/os/dbus var/run/dbus none bind,rw 0 0",
      ],
      "app",
      "board",
    );
    expect(out).toContain("lxc.mount.entry = /s/volumes/web/data data none bind,rw,create=dir 0 0");
    expect(out).toContain("/s/trails/r/config/web/etc/app.conf etc/app.conf none bind,ro");
    expect(out).not.toMatch(/\/evil|generated|dbus/);
    expect(out).toContain("lxc.cap.drop = sys_module");
  });

  it.each([
    ["lxc.include = /usr/share/lxc/config/common.conf", /lxc\.include is for platform parts only/],
    ["lxc.cap.keep = sys_admin", /lxc\.cap\.keep is for platform parts only/],
    ["lxc.cgroup2.devices.allow = b 8:* rwm", /devices\.allow is for platform parts only/],
    ["lxc.hook.pre-start = /bin/sh -c id", /lxc\.hook\.pre-start is for platform parts only/],
    [
      "lxc.mount.entry = /etc etc none bind 0 0",
      /bind-mounts host path \/etc: platform parts only/,
    ],
    ["lxc.mount.entry = /dev/sda1 mnt ext4 rw 0 0", /mounts ext4 from \/dev\/sda1/],
    ["lxc.mount.auto = sys:rw", /sys:rw is for platform parts only/],
    ["lxc.net.0.type = phys", /phys is for platform parts only/],
    ["lxc.namespace.keep = pid", /pid is for platform parts only/],
    ["lxc.sysctl.net.ipv4.ip_forward = 1", /is for platform parts only/],
    ["lxc.frobnicate = 1", /lxc\.frobnicate is not allowed for app parts/],
    ["pv.thing = 1", /pv\.thing is not an LXC key/],
  ])("refuses %s for an app part, naming the key; a platform part may", (line, message) => {
    expect(() => render([line], "app", "board")).toThrow(LxcConfigRefused);
    expect(() => render([line], "app", "board")).toThrow(message);
    if (!line.startsWith("pv.")) expect(render([line], "platform", "board")).toContain(line);
  });

  it("host-process mode lets an app part bind a host path read-only (the demo's busybox), a board does not", () => {
    const line = "lxc.mount.entry = /bin/busybox bin/busybox none bind,ro,create=file 0 0";
    expect(render([line], "app", "host-process")).toContain(line);
    expect(() => render([line], "app", "board")).toThrow(/bind-mounts host path \/bin\/busybox/);
    const rw = "lxc.mount.entry = /srv data none bind,rw 0 0";
    expect(() => render([rw], "app", "host-process")).toThrow(/bind-mounts host path \/srv/);
  });

  it("no part mounts over a path outside its container", () => {
    expect(decideLine("lxc.mount.entry", "/x /etc none bind 0 0", "platform", "board")).toEqual({
      refused: 'lxc.mount.entry target "/etc" is not inside the container',
    });
    expect(
      decideLine("lxc.mount.entry", "tmpfs ../../x tmpfs rw 0 0", "app", "board"),
    ).toMatchObject({
      refused: expect.stringMatching(/not inside/),
    });
    expect(decideLine("lxc.mount.entry", "tmpfs tmp tmpfs rw 0 0", "app", "board")).toBe("keep");
  });
});
