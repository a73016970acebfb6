import { connect, type NatsConnection } from "@nats-io/transport-node";
import { credsConnectionOptions, issueEnrollmentUser, TARGETS_BUCKET } from "./index.js";
import {
  nextPermissionViolation,
  permissionDenial,
  type SecuredNats,
  startSecuredNats,
} from "./secured-nats.test-helper.js";

describe("issueEnrollmentUser", () => {
  let env: SecuredNats;
  let enrolling: NatsConnection;

  beforeAll(async () => {
    env = await startSecuredNats();
    const { creds, inboxPrefix } = await issueEnrollmentUser(env.setup);
    enrolling = await connect({
      servers: env.nats.url,
      reconnect: false,
      inboxPrefix,
      ...credsConnectionOptions(creds),
    });
  });
  afterAll(async () => {
    await enrolling?.close();
    await env?.dispose();
  });

  it("may request any device's hello and gets the answer on its own inbox", async () => {
    // The gateway answers hellos in SERVICES; DEVICES reaches it through the service import.
    const sub = env.service.subscribe("sc.dev.*.hello", {
      callback: (_e, m) => {
        m.respond(`hi ${m.subject}`);
      },
    });
    try {
      await env.service.flush();
      const reply = await enrolling.request("sc.dev.dev-1.hello", "{}", { timeout: 2_000 });
      expect(reply.string()).toBe("hi sc.dev.dev-1.hello");
    } finally {
      sub.unsubscribe();
    }
  });

  it("may not publish status", async () => {
    const violation = nextPermissionViolation(enrolling);
    enrolling.publish("sc.dev.dev-1.status", "{}");
    expect((await violation).message).toMatch(/publish.*sc\.dev\.dev-1\.status/i);
  });

  it("may not read a target key", async () => {
    const denial = await permissionDenial(
      enrolling.request(
        `$JS.services.API.DIRECT.GET.KV_${TARGETS_BUCKET}.$KV.${TARGETS_BUCKET}.dev-1`,
        "",
        {
          timeout: 2_000,
        },
      ),
    );
    expect(denial.operation).toBe("publish");
  });

  it("may not receive on a device's inbox", async () => {
    const violation = nextPermissionViolation(enrolling);
    enrolling.subscribe("sc.inbox.dev-1.>");
    expect((await violation).operation).toBe("subscription");
  });
});
