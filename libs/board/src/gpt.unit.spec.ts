import { crc32 } from "node:zlib";
import { GPT_TYPES, gptLayout, SECTOR } from "./gpt.js";

const TOTAL = 4096; // 2 MiB disk
const parts = [
  { name: "esp", type: GPT_TYPES.esp, firstLba: 2048, lastLba: 3071 },
  { name: "data", type: GPT_TYPES.linux, firstLba: 3072, lastLba: 4000 },
];

function disk(): Buffer {
  const d = Buffer.alloc(TOTAL * SECTOR);
  for (const [offset, bytes] of gptLayout(TOTAL, parts)) bytes.copy(d, offset);
  return d;
}

function checkHeader(h: Buffer, me: number, entriesLba: number, d: Buffer) {
  expect(h.toString("latin1", 0, 8)).toBe("EFI PART");
  const copy = Buffer.from(h.subarray(0, 92));
  copy.writeUInt32LE(0, 16);
  expect(h.readUInt32LE(16)).toBe(crc32(copy));
  expect(Number(h.readBigUInt64LE(24))).toBe(me);
  expect(Number(h.readBigUInt64LE(72))).toBe(entriesLba);
  const table = d.subarray(entriesLba * SECTOR, entriesLba * SECTOR + 128 * 128);
  expect(h.readUInt32LE(88)).toBe(crc32(table));
}

describe("gptLayout", () => {
  it("writes a protective MBR, primary and backup headers with valid CRCs", () => {
    const d = disk();
    expect(d.readUInt16LE(510)).toBe(0xaa55);
    expect(d.readUInt8(446 + 4)).toBe(0xee);
    checkHeader(d.subarray(SECTOR, 2 * SECTOR), 1, 2, d);
    checkHeader(d.subarray((TOTAL - 1) * SECTOR), TOTAL - 1, TOTAL - 33, d);
  });

  it("records each partition's type GUID (mixed-endian), range and name", () => {
    const e = disk().subarray(2 * SECTOR, 2 * SECTOR + 128);
    expect(e.subarray(0, 4).toString("hex")).toBe("28732ac1"); // C12A7328 little-endian
    expect(Number(e.readBigUInt64LE(32))).toBe(2048);
    expect(Number(e.readBigUInt64LE(40))).toBe(3071);
    expect(e.toString("utf16le", 56, 62)).toBe("esp");
  });

  it("refuses a partition over the tables", () => {
    expect(() => gptLayout(TOTAL, [{ ...parts[0], firstLba: 10 } as never])).toThrow(/outside/);
    expect(() => gptLayout(TOTAL, [{ ...parts[1], lastLba: TOTAL - 2 } as never])).toThrow(
      /outside/,
    );
  });
});
