import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureTlsFiles } from "@statecast/nats-auth/tls-setup";
import { ConfigError, parseSettings } from "./config.js";

describe("agent settings", () => {
  const dir = mkdtempSync("/tmp/sc-agent-config-");
  const pem = join(dir, "signer.pem");
  writeFileSync(pem, "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads an offline install with defaults: strict trust, lxc, 25 s commit delay", () => {
    const settings = parseSettings(["install", "b.tgz", "--trust", pem, "--store", dir], {});
    expect(settings).toMatchObject({
      command: "install",
      bundle: "b.tgz",
      deviceId: "offline",
      runtime: "lxc",
      commitDelayMs: 25_000,
      lxcpath: join(dir, "lxc"),
      trustPolicy: { mode: "strict" },
      metricsIntervalMs: 60_000,
    });
    const quiet = ["install", "b.tgz", "--trust", pem, "--metrics-interval-ms", "0"];
    expect(parseSettings(quiet, {}).metricsIntervalMs).toBe(0);
  });

  it("reads enrollment: creds default to <store>/device.creds, token from a file or the env", () => {
    const token = join(dir, "token");
    writeFileSync(token, "sce_secret\n");
    const base = ["run", "--trust", pem, "--store", dir, "--device-id", "d1", "--nats", "n"];
    const withEnrollment = [...base, "--orchestrator-key", pem, "--enrollment-creds", pem];
    const settings = parseSettings(
      [...withEnrollment, "--fleet", "lab", "--enrollment-token-file", token],
      {},
    );
    expect(settings.credsFile).toBe(join(dir, "device.creds"));
    expect(settings.enrollment).toMatchObject({
      fleet: "lab",
      enrollmentToken: "sce_secret",
      identityFile: join(dir, "device.nk"),
    });
    const fromEnv = parseSettings([...withEnrollment, "--fleet", "lab"], {
      STATECAST_ENROLLMENT_TOKEN: "sce_env",
    });
    expect(fromEnv.enrollment?.enrollmentToken).toBe("sce_env");
  });

  it.each([
    [["frobnicate"], /unknown command/],
    [["install"], /needs a BUNDLE/],
    [["install", "b.tgz"], /--trust PEM_FILE is required/],
    [["install", "b.tgz", "--trust", "/nonexistent.pem"], /--trust \/nonexistent.pem/],
    [["run", "--trust", "PEM", "--device-id", "d1"], /run needs --nats/],
    [["install", "b.tgz", "--trust", "PEM", "--runtime", "docker"], /--runtime must be lxc or sim/],
    [["install", "b.tgz", "--trust", "PEM", "--commit-delay-ms", "soon"], /non-negative integer/],
    [["install", "b.tgz", "--trust", "PEM", "--commit-delay-ms", "-1"], /commit-delay-ms/],
    [["install", "b.tgz", "--trust", "PEM", "--no-such-flag"], /no-such-flag/],
    [["install", "b.tgz", "--trust", "PEM", "--device-id", "a.b"], /not a valid device id/],
    [["install", "b.tgz", "--trust", "PEM", "--crash-at", "lunch"], /--crash-at must be one of/],
    [["install", "b.tgz", "--trust", "PEM", "--fleet", "lab"], /need --enrollment-creds/],
    [["install", "b.tgz", "--trust", "PEM", "--enrollment-creds", "PEM"], /--fleet ""/],
    [["install", "b.tgz", "--trust", "PEM", "--gateway-timeout-ms", "x"], /gateway-timeout-ms/],
  ])("rejects %j with a message naming the setting", (argv, message) => {
    const args = (argv as string[]).map((a) => (a === "PEM" ? pem : a));
    expect(() => parseSettings(args, {})).toThrow(ConfigError);
    expect(() => parseSettings(args, {})).toThrow(message as RegExp);
  });

  it("pins the NATS CA given by --nats-ca; a tls:// URL needs one; a non-CA file is refused", async () => {
    const tls = await ensureTlsFiles(join(dir, "tls"), ["localhost"]);
    const run = ["run", "--trust", pem, "--device-id", "d1", "--orchestrator-key", pem];
    const settings = parseSettings([...run, "--nats", "tls://h:4222", "--nats-ca", tls.caFile], {});
    expect(settings.natsCa).toContain("-----BEGIN CERTIFICATE-----");
    expect(() => parseSettings([...run, "--nats", "nats://a:4222,tls://h:4222"], {})).toThrow(
      "a tls:// --nats URL needs --nats-ca PEM_FILE (the CA the agent pins)",
    );
    expect(() => parseSettings([...run, "--nats", "n", "--nats-ca", tls.certFile], {})).toThrow(
      `--nats-ca ${tls.certFile}: the certificate is not a CA`,
    );
    expect(() => parseSettings([...run, "--nats", "n", "--nats-ca", pem], {})).toThrow(
      `--nats-ca ${pem}: not a PEM certificate`,
    );
    expect(parseSettings([...run, "--nats", "nats://h:4222"], {}).natsCa).toBeUndefined();
  });

  it("reads board mode: GRUB with its ESP defaults, U-Boot's config, reboot and watchdog", () => {
    const base = ["install", "b.tgz", "--trust", pem, "--store", dir];
    expect(parseSettings(base, {}).board).toBeUndefined();
    expect(parseSettings([...base, "--boot", "grub"], {})).toMatchObject({
      board: {
        boot: "grub",
        esp: "/boot/efi",
        grubenv: "/boot/efi/grubenv",
        cmdline: "/proc/cmdline",
        reboot: ["reboot", "-f"],
      },
    });
    const uboot = parseSettings(
      [
        ...base,
        "--boot",
        "uboot",
        "--esp",
        "/boot",
        "--fw-env-config",
        "/etc/fw.cfg",
        "--cmdline",
        "/tmp/cmdline",
        "--reboot-command",
        "systemctl reboot --force",
        "--watchdog",
        "/dev/watchdog0",
        "--watchdog-interval-ms",
        "2000",
      ],
      {},
    );
    expect(uboot.board).toMatchObject({
      boot: "uboot",
      esp: "/boot",
      fwEnvConfig: "/etc/fw.cfg",
      cmdline: "/tmp/cmdline",
      reboot: ["systemctl", "reboot", "--force"],
    });
    expect(uboot.watchdog).toEqual({ device: "/dev/watchdog0", intervalMs: 2000 });
    expect(
      parseSettings(base, { STATECAST_AGENT_BOOT: "grub", STATECAST_AGENT_ESP: "/e" }).board,
    ).toMatchObject({ boot: "grub", grubenv: "/e/grubenv" });
  });

  it("refuses board flags that make no sense", () => {
    const base = ["install", "b.tgz", "--trust", pem, "--store", dir];
    expect(() => parseSettings([...base, "--boot", "lilo"], {})).toThrow(
      /--boot must be grub, uboot or file/,
    );
    expect(() => parseSettings([...base, "--esp", "/boot/efi"], {})).toThrow(
      /--esp needs --boot grub\|uboot/,
    );
    expect(() => parseSettings([...base, "--watchdog-interval-ms", "10"], {})).toThrow(
      /needs --watchdog/,
    );
    expect(() =>
      parseSettings([...base, "--watchdog", "/dev/watchdog", "--watchdog-interval-ms", "10"], {}),
    ).toThrow(/at least 100/);
  });
});
