import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, parseAllDocuments } from "yaml";

const K8S = join(dirname(fileURLToPath(import.meta.url)), "k8s");

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
};
type Container = {
  args?: string[];
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
  command?: string[];
  readinessProbe?: { httpGet?: { path: string; port: string } };
  livenessProbe?: { httpGet?: { path: string; port: string } };
  envFrom?: Array<{ configMapRef?: { name: string } }>;
  env?: Array<{
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string } };
  }>;
};
type PodSpec = {
  containers: Container[];
  volumes?: Array<{
    name: string;
    secret?: { secretName: string };
    persistentVolumeClaim?: { claimName: string };
  }>;
};
type Workload = Manifest & {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
};

/** Secrets created out of band from files no repository should hold (see deploy/README.md). */
const OUT_OF_BAND_SECRETS = [
  "nats-config",
  "nats-services-creds",
  "gateway-nats-auth",
  "gateway-target-key",
  "nats-tls",
  "nats-ca",
];

const kustomization = parse(readFileSync(join(K8S, "kustomization.yaml"), "utf8")) as {
  resources: string[];
};
const manifests: Manifest[] = kustomization.resources.flatMap((file) =>
  parseAllDocuments(readFileSync(join(K8S, file), "utf8")).map((d) => d.toJS() as Manifest),
);
const named = (kind: string, name: string) =>
  manifests.find((m) => m.kind === kind && m.metadata.name === name);
const workload = (kind: string, name: string) => named(kind, name) as Workload | undefined;

describe("k8s manifests", () => {
  it("lists files that exist, each document a named Kubernetes object", () => {
    for (const file of kustomization.resources)
      expect(existsSync(join(K8S, file)), file).toBe(true);
    for (const m of manifests) {
      expect(m.apiVersion, JSON.stringify(m.metadata)).toMatch(/^(v1|apps\/v1|policy\/v1)$/);
      expect(m.metadata.name).toMatch(/^[a-z0-9-]+$/);
    }
    expect(named("Namespace", "statecast")).toBeDefined();
  });

  it("runs two orchestrators and two gateways probed on /health/ready and /health/live", () => {
    for (const [name, main] of [
      ["orchestrator", "apps/orchestrator/dist/main.js"],
      ["device-gateway", "apps/device-gateway/dist/main.js"],
    ] as const) {
      const deployment = workload("Deployment", name);
      expect(deployment?.spec.replicas).toBe(2);
      const [container] = deployment?.spec.template.spec.containers ?? [];
      expect(container?.args).toEqual([main]);
      expect(container?.readinessProbe?.httpGet?.path).toBe("/health/ready");
      expect(container?.livenessProbe?.httpGet?.path).toBe("/health/live");
      expect(named("Service", name)).toBeDefined();
      expect(named("PodDisruptionBudget", name)).toBeDefined();
    }
  });

  it("gives the gateways their own NATS setup from a Secret, read-only, never the operator's", () => {
    const pod = workload("Deployment", "device-gateway")?.spec.template.spec;
    const [container] = pod?.containers ?? [];
    const volume = pod?.volumes?.find((v) => v.secret?.secretName === "gateway-nats-auth");
    expect(container?.volumeMounts).toContainEqual({
      name: volume?.name,
      mountPath: "/etc/statecast/nats-auth",
      readOnly: true,
    });
    expect(JSON.stringify(container?.env)).toContain('"value":"/etc/statecast/nats-auth"');
    expect(JSON.stringify(pod)).not.toMatch(/operator/);
  });

  it("runs NATS as a 3-node StatefulSet with a Service per node name its routes use", () => {
    const nats = workload("StatefulSet", "nats");
    expect(nats?.spec.replicas).toBe(3);
    expect(nats?.spec.template.spec.containers[0]?.args?.join(" ")).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, not a template
      "/etc/nats/cluster-node$(( ${HOSTNAME##*-} + 1 )).conf",
    );
    for (const n of [1, 2, 3]) {
      const service = named("Service", `nats-${n}`) as Workload | undefined;
      expect(service?.spec.selector).toEqual({
        "statefulset.kubernetes.io/pod-name": `nats-${n - 1}`,
      });
    }
  });

  it("refers only to ConfigMaps, Secrets and claims it defines or documents", () => {
    const pods = manifests
      .filter((m) => m.kind === "Deployment" || m.kind === "StatefulSet")
      .map((m) => (m as Workload).spec.template.spec);
    for (const pod of pods) {
      for (const container of pod.containers) {
        for (const from of container.envFrom ?? []) {
          if (from.configMapRef) expect(named("ConfigMap", from.configMapRef.name)).toBeDefined();
        }
        for (const env of container.env ?? []) {
          const ref = env.valueFrom?.secretKeyRef;
          if (!ref) continue;
          const secret = named("Secret", ref.name) as { stringData?: object } | undefined;
          expect(secret?.stringData, `${ref.name}/${ref.key}`).toHaveProperty([ref.key]);
        }
      }
      for (const volume of pod.volumes ?? []) {
        if (volume.secret && !OUT_OF_BAND_SECRETS.includes(volume.secret.secretName)) {
          expect(named("Secret", volume.secret.secretName)).toBeDefined();
        }
        if (volume.persistentVolumeClaim) {
          expect(
            named("PersistentVolumeClaim", volume.persistentVolumeClaim.claimName),
          ).toBeDefined();
        }
      }
    }
  });

  it("runs orchestrator and gateway replicas with no claim at all: objects in sc_objects", () => {
    expect(manifests.filter((m) => m.kind === "PersistentVolumeClaim")).toEqual([]);
    for (const name of ["orchestrator", "device-gateway"]) {
      const workload = named("Deployment", name) as Workload;
      expect(workload.spec.replicas, name).toBeGreaterThan(1);
      const pod = workload.spec.template.spec;
      expect(pod.volumes?.filter((v) => v.persistentVolumeClaim) ?? [], name).toEqual([]);
    }
  });

  it("gives the gateways no shared volume: objects over NATS, the target key from a Secret", () => {
    const pod = (named("Deployment", "device-gateway") as Workload).spec.template.spec;
    expect(pod.volumes?.filter((v) => v.persistentVolumeClaim) ?? []).toEqual([]);
    const keyDir = pod.containers[0]?.env?.find((e) => e.name === "STATECAST_TARGET_KEY_DIR");
    const mount = pod.containers[0]?.volumeMounts?.find((m) => m.mountPath === keyDir?.value);
    const volume = pod.volumes?.find((v) => v.name === mount?.name);
    expect(volume?.secret?.secretName).toBe("gateway-target-key");
  });

  it("selects pods of a workload with every Service and disruption budget", () => {
    const podLabels = manifests
      .filter((m) => m.kind === "Deployment" || m.kind === "StatefulSet")
      .map((m) => (m as Workload).spec.template.metadata.labels);
    const matchesSomePod = (selector: Record<string, string>) =>
      podLabels.some((labels) => Object.entries(selector).every(([k, v]) => labels[k] === v));
    for (const m of manifests) {
      if (m.kind === "PodDisruptionBudget") {
        const { matchLabels } = (m as Workload).spec.selector;
        expect(matchesSomePod(matchLabels), m.metadata.name).toBe(true);
      }
      if (m.kind === "Service") {
        const selector = (m.spec?.selector ?? {}) as Record<string, string>;
        if ("statefulset.kubernetes.io/pod-name" in selector) continue; // per-pod Service
        expect(matchesSomePod(selector), m.metadata.name).toBe(true);
      }
    }
  });
});
