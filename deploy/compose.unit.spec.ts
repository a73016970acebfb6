import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, parseAllDocuments } from "yaml";

const DEPLOY = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(DEPLOY, "..");

type Service = {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, unknown>;
  environment?: Record<string, string>;
  secrets?: Array<{ source: string; target: string }>;
};
type Compose = { services: Record<string, Service>; volumes: Record<string, unknown> };

const compose = parse(readFileSync(join(DEPLOY, "compose.yaml"), "utf8"), {
  merge: true,
}) as Compose;

/** `${VAR:-default}` as compose reads it with VAR unset; `${VAR:?msg}` left as a marker. */
const withDefaults = (text: string) => text.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, "$1");

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "nats" ? [] : yamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

describe("deploy/ YAML", () => {
  it("parses every YAML file and document without errors", () => {
    const files = yamlFiles(DEPLOY);
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const file of files) {
      const docs = parseAllDocuments(readFileSync(file, "utf8"), { merge: true });
      const errors = (Array.isArray(docs) ? docs : [docs]).flatMap((d) => d.errors);
      expect({ file: relative(REPO, file), errors }).toEqual({
        file: relative(REPO, file),
        errors: [],
      });
    }
  });
});

describe("compose.yaml", () => {
  const { services } = compose;

  it("runs Postgres 17, three NATS nodes, two orchestrators, two gateways, a collector and Jaeger", () => {
    expect(Object.keys(services).sort()).toEqual([
      "gateway-1",
      "gateway-2",
      "jaeger",
      "nats-1",
      "nats-2",
      "nats-3",
      "orchestrator-1",
      "orchestrator-2",
      "otel-collector",
      "postgres",
    ]);
    expect(services.postgres?.image).toBe("postgres:17");
    expect(services.postgres?.volumes).toContain("postgres-data:/var/lib/postgresql/data");
    for (const name of ["orchestrator-1", "orchestrator-2"]) {
      expect(services[name]?.command).toEqual(["apps/orchestrator/dist/main.js"]);
    }
    for (const name of ["gateway-1", "gateway-2"]) {
      expect(services[name]?.command).toEqual(["apps/device-gateway/dist/main.js"]);
    }
  });

  it("mounts each node its own rendered cluster config and a JetStream volume", () => {
    for (const n of [1, 2, 3]) {
      const volumes = (services[`nats-${n}`]?.volumes ?? []).map(withDefaults);
      expect(volumes).toContain(`./nats/cluster-node${n}.conf:/etc/nats/nats.conf:ro`);
      expect(volumes).toContain(`nats-${n}-data:/var/lib/nats`);
      const config = readFileSync(join(DEPLOY, `nats/cluster-node${n}.conf`), "utf8");
      expect(config).toContain(`server_name: "nats-${n}"`);
      expect(config).toMatch(/jetstream: \{\s*store_dir: "\/var\/lib\/nats"/);
    }
  });

  it("references files that exist: bind mounts, the Dockerfile and each service's entry point", () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = withDefaults(volume).split(":")[0] ?? "";
        if (source.startsWith("./secrets/")) continue; // render-deploy writes it; never committed
        if (!source.startsWith(".")) {
          expect(compose.volumes, `${name}: named volume ${source}`).toHaveProperty(source);
          continue;
        }
        expect(existsSync(join(DEPLOY, source)), `${name}: ${source}`).toBe(true);
      }
      if (service.build) {
        const context = join(DEPLOY, service.build.context);
        expect(existsSync(join(context, service.build.dockerfile)), name).toBe(true);
      }
      const main = service.command?.find((arg) => arg.endsWith("/dist/main.js"));
      if (main)
        expect(
          existsSync(join(REPO, main.replace("/dist/", "/src/").replace(/\.js$/, ".ts"))),
        ).toBe(true);
    }
  });

  it("gives every gateway (and only gateways) its own NATS setup, read-only, never the operator's", () => {
    for (const name of ["gateway-1", "gateway-2"]) {
      const gateway = services[name];
      expect(gateway?.volumes).toContain(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a compose variable, not a template
        "${NATS_GATEWAY_AUTH_DIR:-./secrets/gateway}:/etc/statecast/nats-auth:ro",
      );
      expect(gateway?.environment?.STATECAST_NATS_AUTH_DIR).toBe("/etc/statecast/nats-auth");
      expect(gateway?.environment?.NATS_CREDS).toBe("/etc/statecast/nats-auth/services.creds");
      expect(JSON.stringify(gateway)).not.toMatch(/operator/);
    }
    for (const name of ["orchestrator-1", "orchestrator-2"]) {
      expect(services[name]?.volumes?.join(" ")).not.toContain("nats-auth");
      expect(services[name]?.environment?.STATECAST_NATS_AUTH_DIR).toBeUndefined();
    }
  });

  it("runs orchestrator and gateway replicas with no shared volume: objects in sc_objects", () => {
    const replicas = ["orchestrator-1", "orchestrator-2", "gateway-1", "gateway-2"];
    const named = new Set(Object.keys(compose.volumes ?? {}));
    for (const name of replicas) {
      const sources = (services[name]?.volumes ?? []).map((v) => withDefaults(v).split(":")[0]);
      // Bind mounts of read-only files (the CA, a gateway's own NATS setup) only: no named volume.
      expect(
        sources.filter((source) => named.has(source ?? "")),
        name,
      ).toEqual([]);
      expect(services[name]?.environment?.STATECAST_DATA_DIR, name).toBe("/tmp/statecast");
    }
    expect(named).not.toContain("statecast-data");
  });

  it("gives the gateways no shared volume: objects over NATS, their target key as a secret", () => {
    for (const name of ["gateway-1", "gateway-2"]) {
      const gateway = services[name];
      expect(gateway?.volumes?.join(" ")).not.toContain("statecast-data");
      expect(gateway?.environment?.STATECAST_TARGET_KEY_DIR).toBe("/run/secrets/target-key");
      expect(JSON.stringify(gateway?.secrets)).toContain("gateway-target-key");
    }
  });

  it("reaches NATS over TLS only, pinning the CA; the servers mount their certificate read-only", () => {
    for (const name of ["orchestrator-1", "orchestrator-2", "gateway-1", "gateway-2"]) {
      const env = services[name]?.environment;
      expect(env?.NATS_URL?.split(",").every((url) => url.startsWith("tls://"))).toBe(true);
      expect(env?.NATS_CA).toBe("/etc/statecast/nats-ca.pem");
      expect(services[name]?.volumes?.join(" ")).not.toContain("server-key");
    }
    for (const n of [1, 2, 3]) {
      expect(services[`nats-${n}`]?.volumes).toContain(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a compose variable, not a template
        "${NATS_TLS_DIR:-./secrets/tls}:/etc/nats/tls:ro",
      );
    }
  });

  it("publishes distinct host ports and depends only on services it defines", () => {
    const hostPorts = Object.values(services).flatMap((s) =>
      (s.ports ?? []).map((p) => String(p).split(":")[0]),
    );
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
    for (const [name, service] of Object.entries(services)) {
      for (const dependency of Object.keys(service.depends_on ?? {})) {
        expect(Object.keys(services), `${name} depends on ${dependency}`).toContain(dependency);
      }
    }
  });

  it("points the services at the collector, and the collector at Jaeger and at every replica", () => {
    const collector = parse(readFileSync(join(DEPLOY, "otel/collector.yaml"), "utf8"));
    expect(services["orchestrator-1"]?.environment?.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(
      "http://otel-collector:4318",
    );
    expect(collector.exporters["otlp/jaeger"].endpoint).toBe("jaeger:4317");
    for (const pipeline of Object.values(collector.service.pipelines) as Array<
      Record<string, string[]>
    >) {
      for (const kind of ["receivers", "processors", "exporters"]) {
        for (const id of pipeline[kind] ?? []) expect(collector[kind]).toHaveProperty([id]);
      }
    }
    const targets = collector.receivers.prometheus.config.scrape_configs[0].static_configs.flatMap(
      (c: { targets: string[] }) => c.targets,
    );
    expect(targets).toEqual([
      "orchestrator-1:8080",
      "orchestrator-2:8080",
      "gateway-1:8081",
      "gateway-2:8081",
    ]);
    for (const target of targets) {
      const [host, port] = target.split(":");
      expect(services[host]?.environment?.STATECAST_HTTP_PORT).toBe(port);
    }
  });
});
