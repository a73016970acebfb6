import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createUser, decode, type User } from "@nats-io/jwt";
import { ValidationError } from "@statecast/contract";
import {
  assertDeviceId,
  createOperatorSetup,
  deviceConnectionOptions,
  devicePermissions,
  issueDeviceUser,
  issueServiceUser,
  type OperatorSetup,
} from "./index.js";

describe("issuing users", () => {
  const root = mkdtempSync(join(tmpdir(), "statecast-users-"));
  let setup: OperatorSetup;
  beforeAll(async () => {
    setup = await createOperatorSetup(join(root, "op"));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("signs a device user with the account signing key and only the device's permissions", async () => {
    const issued = await issueDeviceUser(setup, "dev-1");
    const claims = decode<User>(issued.jwt);
    expect(claims.sub).toBe(issued.publicKey);
    expect(claims.name).toBe("device:dev-1");
    expect(claims.iss).not.toBe(setup.devicesAccount.publicKey); // the signing key, not the identity key
    expect(claims.nats.issuer_account).toBe(setup.devicesAccount.publicKey);
    expect(claims.nats.pub?.allow).toEqual(devicePermissions("dev-1").pub?.allow);
    expect(claims.nats.sub?.allow).toEqual(["sc.inbox.dev-1.>"]);
    expect(claims.nats.bearer_token).toBe(false);
    expect(issued.creds).toContain(issued.jwt);
  });

  it("keeps the device's seed on the device when given its public key", async () => {
    const key = createUser();
    const issued = await issueDeviceUser(setup, "dev-2", key.getPublicKey());
    expect(issued.publicKey).toBe(key.getPublicKey());
    expect(issued.creds).toBeUndefined();
  });

  it("refuses a key that is not a user public key, without echoing it", async () => {
    const seed = new TextDecoder().decode(createUser().getSeed());
    const error: unknown = await issueDeviceUser(setup, "dev-3", seed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).not.toContain(seed.slice(2));
    await expect(issueDeviceUser(setup, "dev-3", setup.devicesAccount.publicKey)).rejects.toThrow(
      /user public nkey/,
    );
  });

  it("gives a service user no permission limits", async () => {
    const creds = await issueServiceUser(setup, "orchestrator");
    const jwt = creds.split("\n")[1]!;
    const claims = decode<User>(jwt);
    expect(claims.name).toBe("service:orchestrator");
    expect(claims.nats.issuer_account).toBe(setup.servicesAccount.publicKey);
    expect(claims.nats.pub?.allow ?? []).toEqual([]);
    expect(claims.nats.sub?.allow ?? []).toEqual([]);
    expect(claims.nats.pub?.deny ?? []).toEqual([]);
  });
});

describe("connection options", () => {
  it("refuses creds text without a JWT and a seed block", () => {
    expect(() => deviceConnectionOptions("not creds", "dev-1")).toThrow(ValidationError);
  });

  it("uses the device's own inbox prefix", async () => {
    const setup = await createOperatorSetup(mkdtempSync(join(tmpdir(), "statecast-users-op-")));
    try {
      const { creds } = await issueDeviceUser(setup, "dev-9");
      expect(deviceConnectionOptions(creds!, "dev-9").inboxPrefix).toBe("sc.inbox.dev-9");
    } finally {
      rmSync(setup.dir, { recursive: true, force: true });
    }
  });
});

describe("device ids", () => {
  it.each(["dev-1", "A_b-9", "x".repeat(64)])("accepts %s", (id) => {
    expect(() => assertDeviceId(id)).not.toThrow();
  });

  it.each(["", "a.b", "*", ">", "a b", "dev-1.>", "$SYS", "x".repeat(65), "dev\u0000"])(
    "refuses %j, which would not be one subject token",
    (id) => {
      expect(() => assertDeviceId(id)).toThrow(ValidationError);
      expect(() => devicePermissions(id)).toThrow(ValidationError);
    },
  );
});
