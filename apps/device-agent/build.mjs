// Bundles the agent into ONE file (dist/statecast-agent.js) with esbuild: plain Node,
// no node_modules needed on the board. `node build.mjs [outfile]`.
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("../../", import.meta.url));
const lib = (name) => `${root}libs/${name}/src/index.ts`;

const sideEffectFreeLibs = {
  name: "side-effect-free-libs",
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === "resolved") return undefined;
      const result = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: "resolved",
      });
      if (result.errors.length > 0 || !result.path.startsWith(`${root}libs/`)) return undefined;
      return { ...result, sideEffects: false };
    });
  },
};

// The board gets the wire contract (libs/contract), never the services' libraries: the event
// store, its catalogs and pg, Nest, the device aggregate. Importing one fails the build loudly.
const serverOnlyLibs = {
  name: "server-only-libs",
  setup(build) {
    build.onResolve(
      { filter: /^@statecast\/(events|infra|platform|device-domain)(\/|$)/ },
      (args) => ({
        errors: [{ text: `${args.path} is not for the agent's bundle: use @statecast/contract` }],
      }),
    );
  },
};

/**
 * `faults: true` is the test build: `--crash-at` (kill -9 at a named apply step) exists only
 * there. The shipped bundle is built with it off, and esbuild drops the injection code.
 */
export async function buildAgent(
  outfile = `${root}apps/device-agent/dist/statecast-agent.js`,
  { faults = false } = {},
) {
  const result = await build({
    entryPoints: [`${root}apps/device-agent/src/main.ts`],
    outfile,
    bundle: true,
    platform: "node",
    // ESM builds first where a package has both: they tree-shake (OpenTelemetry's core is 10× smaller).
    mainFields: ["module", "main"],
    format: "esm",
    target: "node20",
    minify: true,
    legalComments: "none",
    metafile: true,
    define: { __STATECAST_FAULTS__: faults ? "true" : "false" },
    alias: {
      "@statecast/contract": lib("contract"),
      "@statecast/state": lib("state"),
      "@statecast/nats-auth": lib("nats-auth"),
    },
    // CommonJS dependencies (tar-stream) call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __scCreateRequire } from 'node:module'; const require = __scCreateRequire(import.meta.url);",
    },
    // The workspace libs have no import-time side effects; saying so lets esbuild drop what
    // the agent never uses (the event store, zod schemas, pg) from the board's bundle.
    plugins: [serverOnlyLibs, sideEffectFreeLibs],
    logLevel: "warning",
  });
  return {
    outfile,
    bytes: Object.values(result.metafile.outputs)[0]?.bytes ?? 0,
    metafile: result.metafile,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { outfile, bytes } = await buildAgent(process.argv[2]);
  process.stdout.write(`${outfile}: ${(bytes / 1024).toFixed(0)} KB\n`);
}
