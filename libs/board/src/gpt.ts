// A GPT partition table written by hand (no sfdisk/sgdisk, no loop device): protective MBR,
// primary header + entries at LBA 1-33, backup entries + header at the end of the disk.
import { randomUUID } from "node:crypto";
import { crc32 } from "node:zlib";

export const SECTOR = 512;
const ENTRIES = 128;
const ENTRY_SIZE = 128;
const ENTRY_SECTORS = (ENTRIES * ENTRY_SIZE) / SECTOR;

export const GPT_TYPES = {
  esp: "C12A7328-F81F-11D2-BA4B-00A0C93EC93B",
  linux: "0FC63DAF-8483-4772-8E79-3D69D8477DE4",
} as const;

export interface GptPartition {
  name: string;
  type: string;
  firstLba: number;
  lastLba: number;
  uuid?: string;
}

/** A GUID in its on-disk mixed-endian form. */
function guidBytes(guid: string): Buffer {
  const hex = guid.replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`not a GUID: ${guid}`);
  const b = Buffer.from(hex, "hex");
  return Buffer.concat([
    Buffer.from(b.subarray(0, 4)).reverse(),
    Buffer.from(b.subarray(4, 6)).reverse(),
    Buffer.from(b.subarray(6, 8)).reverse(),
    b.subarray(8, 16),
  ]);
}

function entriesTable(parts: GptPartition[]): Buffer {
  const table = Buffer.alloc(ENTRIES * ENTRY_SIZE);
  parts.forEach((p, i) => {
    const e = table.subarray(i * ENTRY_SIZE, (i + 1) * ENTRY_SIZE);
    guidBytes(p.type).copy(e, 0);
    guidBytes(p.uuid ?? randomUUID()).copy(e, 16);
    e.writeBigUInt64LE(BigInt(p.firstLba), 32);
    e.writeBigUInt64LE(BigInt(p.lastLba), 40);
    e.write(p.name.slice(0, 36), 56, "utf16le");
  });
  return table;
}

function header(
  me: number,
  alt: number,
  entriesLba: number,
  lastUsable: number,
  diskGuid: Buffer,
  entriesCrc: number,
): Buffer {
  const h = Buffer.alloc(SECTOR);
  h.write("EFI PART", 0, "latin1");
  h.writeUInt32LE(0x00010000, 8);
  h.writeUInt32LE(92, 12);
  h.writeBigUInt64LE(BigInt(me), 24);
  h.writeBigUInt64LE(BigInt(alt), 32);
  h.writeBigUInt64LE(BigInt(2 + ENTRY_SECTORS), 40);
  h.writeBigUInt64LE(BigInt(lastUsable), 48);
  diskGuid.copy(h, 56);
  h.writeBigUInt64LE(BigInt(entriesLba), 72);
  h.writeUInt32LE(ENTRIES, 80);
  h.writeUInt32LE(ENTRY_SIZE, 84);
  h.writeUInt32LE(entriesCrc, 88);
  h.writeUInt32LE(crc32(h.subarray(0, 92)), 16);
  return h;
}

/** The sectors to write: [byte offset, bytes][] for a disk of `totalSectors`. */
export function gptLayout(totalSectors: number, parts: GptPartition[]): Array<[number, Buffer]> {
  const lastLba = totalSectors - 1;
  const lastUsable = lastLba - 1 - ENTRY_SECTORS;
  for (const p of parts) {
    if (p.firstLba < 2 + ENTRY_SECTORS || p.lastLba > lastUsable || p.lastLba < p.firstLba)
      throw new Error(`partition ${p.name} (${p.firstLba}-${p.lastLba}) outside 34-${lastUsable}`);
  }
  const table = entriesTable(parts);
  const entriesCrc = crc32(table);
  const diskGuid = guidBytes(randomUUID());
  const mbr = Buffer.alloc(SECTOR);
  // One protective entry of type 0xEE covering the disk (capped at 2^32-1 sectors).
  mbr.writeUInt8(0xee, 446 + 4);
  mbr.writeUInt32LE(1, 446 + 8);
  mbr.writeUInt32LE(Math.min(lastLba, 0xffffffff), 446 + 12);
  mbr.writeUInt16LE(0xaa55, 510);
  const backupEntriesLba = lastLba - ENTRY_SECTORS;
  return [
    [0, mbr],
    [SECTOR, header(1, lastLba, 2, lastUsable, diskGuid, entriesCrc)],
    [2 * SECTOR, table],
    [backupEntriesLba * SECTOR, table],
    [lastLba * SECTOR, header(lastLba, 1, backupEntriesLba, lastUsable, diskGuid, entriesCrc)],
  ];
}
