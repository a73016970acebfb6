import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decode, type User } from "@nats-io/jwt";
import { createOperatorSetup, enrollmentConnectionOptions, issueEnrollmentUser } from "./index.js";

describe("enrollment user creds", () => {
  const root = mkdtempSync(join(tmpdir(), "statecast-enroll-user-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("give back the inbox prefix the user may receive on, from the creds text alone", async () => {
    const setup = await createOperatorSetup(join(root, "op"));
    const { creds, inboxPrefix } = await issueEnrollmentUser(setup);
    const options = enrollmentConnectionOptions(creds);
    expect(options.inboxPrefix).toBe(inboxPrefix);
    const jwt = /-----BEGIN NATS USER JWT-----\s*(\S+)/.exec(creds)?.[1] ?? "";
    const claims = decode<User>(jwt);
    expect(inboxPrefix).toBe(`sc.enroll.${claims.sub}`);
    expect(claims.nats.sub?.allow).toEqual([`${inboxPrefix}.>`]);
    expect(() => enrollmentConnectionOptions("not creds")).toThrow(/lacks a user JWT/);
  });
});
