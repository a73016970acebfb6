import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  abandonedTry,
  beginTry,
  clearTry,
  commitTry,
  emptyBootEnv,
  parseBootEnv,
  readBootEnv,
  serializeBootEnv,
  writeBootEnv,
} from "./boot-env.js";

const A = "a".repeat(64);
const B = "b".repeat(64);

describe("boot.env try-boot contract", () => {
  it("install sets pv_try with the latch, commit moves pv_rev and clears both", () => {
    const trying = beginTry({ pv_rev: A, pv_try: "", pv_trying: "" }, B);
    expect(trying).toEqual({ pv_rev: A, pv_try: B, pv_trying: B });
    expect(commitTry(trying)).toEqual({ pv_rev: B, pv_try: "", pv_trying: "" });
  });

  it("a boot that finds the latch set for the tried revision abandons it", () => {
    expect(abandonedTry({ pv_rev: A, pv_try: B, pv_trying: B })).toBe(B);
    expect(abandonedTry({ pv_rev: A, pv_try: "", pv_trying: "" })).toBeUndefined();
    expect(clearTry({ pv_rev: A, pv_try: B, pv_trying: B })).toEqual({
      pv_rev: A,
      pv_try: "",
      pv_trying: "",
    });
  });

  it("refuses to commit when nothing is tried", () => {
    expect(() => commitTry({ pv_rev: A, pv_try: "", pv_trying: "" })).toThrow(
      /without a revision being tried/,
    );
  });

  it("round-trips, ignores other bootloader variables, rejects malformed lines and unsafe values", () => {
    const env = { pv_rev: A, pv_try: B, pv_trying: "" };
    expect(parseBootEnv(serializeBootEnv(env))).toEqual(env);
    expect(parseBootEnv(`# uboot\nbootdelay=3\npv_rev=${A}\n`)).toEqual({
      ...emptyBootEnv,
      pv_rev: A,
    });
    expect(() => parseBootEnv("pv_rev\n")).toThrow(/line 1 is not key=value/);
    expect(() => parseBootEnv("pv_rev=a b;rm\n")).toThrow(/unsafe value/);
    expect(() => serializeBootEnv({ ...env, pv_try: "x\npv_rev=evil" })).toThrow(/unsafe value/);
  });

  it("writes atomically: the file holds the new content and no temp file stays behind", async () => {
    const dir = mkdtempSync("/tmp/sc-bootenv-");
    try {
      const path = join(dir, "boot.env");
      expect(await readBootEnv(path)).toEqual(emptyBootEnv);
      await writeBootEnv(path, { pv_rev: A, pv_try: "", pv_trying: "" });
      await writeBootEnv(path, { pv_rev: A, pv_try: B, pv_trying: B });
      expect(readFileSync(path, "utf8")).toBe(`pv_rev=${A}\npv_try=${B}\npv_trying=${B}\n`);
      expect(readdirSync(dir)).toEqual(["boot.env"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
