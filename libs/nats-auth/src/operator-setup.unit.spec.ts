import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { type Account, decode, type Operator } from "@nats-io/jwt";
import { fromSeed } from "@nats-io/nkeys";
import { IllegalStateError, NotFoundError, ValidationError } from "@statecast/contract";
import {
  createOperatorSetup,
  ensureOperatorSetup,
  issueServiceUser,
  LEGACY_OBJECT_REFUSAL_SUBJECT,
  LEGACY_OBJECT_SERVICES,
  legacyObjectRead,
  loadGatewaySetup,
  loadOperatorSetup,
  type OperatorSetup,
  revokeDevice,
  setLegacyObjectRead,
  writeGatewaySetup,
} from "./index.js";

describe("operator setup on disk", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "statecast-operator-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const seedFiles = [
    "operator.nk",
    "operator-signing.nk",
    "system-account.nk",
    "services-account.nk",
    "services-signing.nk",
    "devices-account.nk",
    "devices-signing.nk",
  ];

  it("stores seeds owner-only in an owner-only directory", async () => {
    const dir = join(root, "op");
    await createOperatorSetup(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of seedFiles) {
      expect(statSync(join(dir, file)).mode & 0o777, file).toBe(0o600);
      expect(readFileSync(join(dir, file), "utf8")).toMatch(/^S[OA][A-Z2-7]{56}\n$/);
    }
  });

  it("signs an operator, a JetStream SERVICES account and a DEVICES account importing from it", async () => {
    const setup = await createOperatorSetup(join(root, "op"));
    const operator = decode<Operator>(setup.operator.jwt);
    expect(operator.sub).toBe(setup.operator.publicKey);
    expect(operator.nats.system_account).toBe(setup.systemAccount.publicKey);
    const services = decode<Account>(setup.servicesAccount.jwt);
    expect(services.iss).toBe(setup.operator.publicKey);
    expect(services.nats.limits?.disk_storage).toBe(-1);
    expect(services.nats.signing_keys?.[0]).not.toBe(setup.servicesAccount.publicKey);
    const devices = decode<Account>(setup.devicesAccount.jwt);
    expect(devices.nats.limits?.disk_storage).toBeUndefined(); // no JetStream of its own
    expect(devices.nats.limits?.disallow_bearer).toBe(true);
    const imports = devices.nats.imports ?? [];
    expect(imports.every((i) => i.account === setup.servicesAccount.publicKey)).toBe(true);
    // Everything exported is imported, except the previous release's object reads (legacy object
    // read is off by default): their message get lands on the gateway's refusal instead.
    const exported = (services.nats.exports ?? []).map((e) => e.subject);
    const current = exported.filter((subject) => !LEGACY_OBJECT_SERVICES.includes(subject));
    expect(imports.map((i) => i.subject).sort()).toEqual(current.sort());
    const refusal = imports.find((i) => i.subject === LEGACY_OBJECT_REFUSAL_SUBJECT);
    expect(refusal?.local_subject).toBe("$JS.services.API.STREAM.MSG.GET.OBJ_sc_objects");
    expect(imports.some((i) => i.subject === "$JS.API.>" || i.subject === ">")).toBe(false);
  });

  it("never shows a seed when the setup is printed or serialised", async () => {
    const dir = join(root, "op");
    const setup = await createOperatorSetup(dir);
    const printed = `${inspect(setup, { depth: 10, showHidden: true })}${JSON.stringify(setup)}`;
    for (const file of seedFiles) {
      const seed = readFileSync(join(dir, file), "utf8").trim();
      expect(printed).not.toContain(seed);
    }
  });

  it("loads what it created, and refuses to overwrite it", async () => {
    const dir = join(root, "op");
    const created = await createOperatorSetup(dir);
    const loaded = loadOperatorSetup(dir);
    expect(loaded.devicesAccount).toEqual(created.devicesAccount);
    expect((await ensureOperatorSetup(dir)).operator).toEqual(created.operator);
    await expect(createOperatorSetup(dir)).rejects.toBeInstanceOf(IllegalStateError);
  });

  it("says what is missing or broken, without echoing a seed", async () => {
    expect(() => loadOperatorSetup(join(root, "none"))).toThrow(NotFoundError);
    const dir = join(root, "op");
    await createOperatorSetup(dir);
    writeFileSync(join(dir, "devices-signing.nk"), "SAnot-a-seed-but-secret-looking\n");
    const error = captureError(() => loadOperatorSetup(dir));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain("devices-signing.nk");
    expect(error.message).not.toContain("SAnot-a-seed");
  });

  it("adds revocations to the stored account JWT and keeps earlier ones", async () => {
    const setup = await createOperatorSetup(join(root, "op"));
    const first = "U".padEnd(56, "A");
    const second = "U".padEnd(56, "B");
    await revokeDevice(setup, first, { at: new Date(1_000_000) });
    const updated = await revokeDevice(loadOperatorSetup(setup.dir), second);
    const revocations = decode<Account>(updated.devicesAccount.jwt).nats.revocations ?? {};
    expect(revocations[first]).toBe(1_000);
    expect(revocations[second]).toBeGreaterThan(1_000);
    expect(loadOperatorSetup(setup.dir).devicesAccount.jwt).toBe(updated.devicesAccount.jwt);
    await expect(revokeDevice(updated, "dev-a")).rejects.toBeInstanceOf(ValidationError);
  });

  it("gives an older setup an operator signing key, listed in a re-signed operator JWT", async () => {
    const dir = join(root, "op");
    const created = await createOperatorSetup(dir);
    rmSync(join(dir, "operator-signing.nk")); // as written before operator signing keys
    expect(() => loadOperatorSetup(dir)).toThrow(/operator-signing.nk/);
    const upgraded = await ensureOperatorSetup(dir);
    const signing = readFileSync(join(dir, "operator-signing.nk"), "utf8").trim();
    const operator = decode<Operator>(upgraded.operator.jwt);
    expect(operator.sub).toBe(created.operator.publicKey);
    expect(operator.nats.signing_keys).toEqual([
      fromSeed(new TextEncoder().encode(signing)).getPublicKey(),
    ]);
    expect(upgraded.devicesAccount).toEqual(created.devicesAccount);
  });

  it("writes a gateway's setup without the root or account seeds; its revocations stay in memory", async () => {
    const setup = await createOperatorSetup(join(root, "op"));
    const gateway = await writeGatewaySetup(setup, join(root, "gateway"));
    expect(statSync(gateway.dir).mode & 0o777).toBe(0o700);
    for (const file of [
      "devices-signing.nk",
      "operator-signing.nk",
      "claims-update.creds",
      "services.creds",
    ]) {
      expect(statSync(join(gateway.dir, file)).mode & 0o777, file).toBe(0o600);
    }
    for (const file of [
      "operator.nk",
      "system-account.nk",
      "services-account.nk",
      "services-signing.nk",
      "devices-account.nk",
    ]) {
      expect(existsSync(join(gateway.dir, file)), file).toBe(false);
    }
    expect(loadGatewaySetup(gateway.dir)).toEqual(gateway);
    await expect(issueServiceUser(gateway as OperatorSetup, "x")).rejects.toThrow(
      /does not hold the servicesSigning key/,
    );
    const key = "U".padEnd(56, "C");
    const revoked = await revokeDevice(gateway, key);
    const devices = decode<Account>(revoked.devicesAccount.jwt);
    expect(devices.iss).toBe(decode<Operator>(setup.operator.jwt).nats.signing_keys?.[0]);
    expect(devices.nats.revocations?.[key]).toBeGreaterThan(0);
    expect(loadGatewaySetup(gateway.dir).devicesAccount.jwt).toBe(setup.devicesAccount.jwt);
    // The operator's own directory is refused: it holds the root.
    expect(() => loadGatewaySetup(setup.dir)).toThrow(/operator root seed/);
  });

  it("re-signs the accounts for the legacy object read only when the grant changes", async () => {
    // As each start does: the first may move DEVICES to the operator's signing key.
    const setup = await setLegacyObjectRead(await createOperatorSetup(join(root, "op")), false);
    const files = ["services-account.jwt", "devices-account.jwt"].map((f) => join(setup.dir, f));
    const read = () => files.map((f) => readFileSync(f, "utf8"));
    const before = read();
    await new Promise((r) => setTimeout(r, 1_100)); // a re-sign would carry a later iat
    const same = await setLegacyObjectRead(setup, false);
    expect(read()).toEqual(before);
    expect(same).toBe(setup);
    const on = await setLegacyObjectRead(setup, true);
    expect(legacyObjectRead(on)).toBe(true);
    expect(read()[1]).not.toBe(before[1]);
  });
});

function captureError(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected an error");
}
