import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createGrubenv, createUbootEnv } from "../testing/bootloader.test-helper.js";
import type { BootBackend } from "./boot-backend.js";
import { GrubBootBackend } from "./grub-env.js";
import { UbootBootBackend } from "./uboot-env.js";

const A = "a".repeat(64);
const B = "b".repeat(64);

describe.each([
  [
    "GRUB (grub-editenv on a grubenv block)",
    (dir: string) => new GrubBootBackend(createGrubenv(dir)),
    (dir: string) => execFileSync("grub-editenv", [join(dir, "grubenv"), "list"]).toString(),
  ],
  [
    "U-Boot (fw_setenv on a file-backed env)",
    (dir: string) => new UbootBootBackend(createUbootEnv(dir)),
    (dir: string) =>
      execFileSync("fw_printenv", ["-c", join(dir, "fw_env.config")], {
        stdio: ["ignore", "pipe", "ignore"],
      }).toString(),
  ],
] as const)("%s", (_name, make, list) => {
  let dir: string;
  let backend: BootBackend;
  beforeEach(() => {
    dir = mkdtempSync("/tmp/sc-bootbackend-");
    backend = make(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("starts empty, sets and unsets the try-boot variables, keeps the bootloader's own", async () => {
    expect(backend.board).toBe(true);
    expect(await backend.read()).toEqual({ pv_rev: "", pv_try: "", pv_trying: "" });
    await backend.write({ pv_rev: A, pv_try: B, pv_trying: "" });
    expect(await backend.read()).toEqual({ pv_rev: A, pv_try: B, pv_trying: "" });
    await backend.write({ pv_rev: B, pv_try: "", pv_trying: "", pv_failed: A });
    expect(await backend.read()).toEqual({ pv_rev: B, pv_try: "", pv_trying: "", pv_failed: A });
    await backend.write({ pv_rev: B, pv_try: "", pv_trying: "", pv_failed: "" });
    expect(await backend.read()).toEqual({ pv_rev: B, pv_try: "", pv_trying: "" });
    // What the real tool lists: only set variables, unset ones gone.
    const text = list(dir);
    expect(text).toContain(`pv_rev=${B}`);
    expect(text).not.toMatch(/pv_try=|pv_failed=/);
    if (backend.kind === "uboot") expect(text).toContain("bootdelay=3");
    expect(readdirSync(dir).filter((f) => f.includes("tmp"))).toEqual([]);
  });

  it("refuses a value a bootloader script could misread, and changes nothing", async () => {
    await backend.write({ pv_rev: A, pv_try: "", pv_trying: "" });
    await expect(backend.write({ pv_rev: A, pv_try: "x; reboot", pv_trying: "" })).rejects.toThrow(
      /unsafe value/,
    );
    expect(await backend.read()).toEqual({ pv_rev: A, pv_try: "", pv_trying: "" });
  });
});
