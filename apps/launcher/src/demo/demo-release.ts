import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type Ed25519KeyPair,
  ed25519PrivateKeyToPem,
  ed25519PublicKey,
  ed25519PublicKeyToPem,
  ed25519SeedFromPem,
  generateEd25519Key,
} from "@statecast/state";
import { type BusyboxPart, BusyboxStates } from "./busybox-state.js";
import type { DemoApi } from "./demo-api.js";

/** The demo's release signing key, kept (0600) under the data dir so restarts sign alike. */
export function demoSigningKey(demoDir: string): { key: Ed25519KeyPair; file: string } {
  const file = join(demoDir, "release-signing.pem");
  if (existsSync(file)) {
    const seed = ed25519SeedFromPem(readFileSync(file, "utf8"));
    const publicKey = ed25519PublicKey(seed);
    return {
      file,
      key: {
        seed,
        publicKey,
        privateKeyPem: ed25519PrivateKeyToPem(seed),
        publicKeyPem: ed25519PublicKeyToPem(publicKey),
      },
    };
  }
  const key = generateEd25519Key();
  writeFileSync(file, key.privateKeyPem, { mode: 0o600, flag: "wx" });
  writeFileSync(join(demoDir, "release-signing.pub.pem"), key.publicKeyPem);
  return { file, key };
}

/** The demo app: one busybox container that logs which demo revision it runs, then sleeps. */
const demoApp = (label: string): BusyboxPart => ({
  name: "app",
  init: `echo "statecast demo ${label}"; exec /bin/sleep 1000000`,
});

/**
 * The fleet's trust policy names the demo key (PUT is idempotent), then the next revision is
 * built, its objects uploaded (existing ones answer 200) and posted. Returns its number.
 */
export async function postNextDemoRevision(
  api: DemoApi,
  fleet: string,
  release: BusyboxStates,
): Promise<number> {
  await api.call("PUT", `/v1/fleets/${fleet}/trust-policy`, {
    mode: "strict",
    trusted: [{ name: "demo-release", pem: release.key.publicKeyPem, keys: ["**"] }],
  });
  let newest = 0;
  for (;;) {
    const page = await api.get<{ number: number }[]>(
      `/v1/fleets/${fleet}/revisions?after=${newest}&limit=100`,
    );
    if (page.length === 0) break;
    newest = Math.max(newest, ...page.map((r) => r.number));
  }
  const next = newest + 1;
  const label = `v${next}`;
  const { state } = release.build([demoApp(label)], label);
  for (const [sha, bytes] of release.objects) await api.call("PUT", `/v1/objects/${sha}`, bytes);
  const posted = await api.call<{ number: number }>("POST", `/v1/fleets/${fleet}/revisions`, {
    state,
    message: `demo ${label}`,
  });
  return posted.number;
}
