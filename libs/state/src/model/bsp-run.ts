import { isJsonObject, type JsonValue } from "../json/json-value.js";
import { unsafePathReason } from "../path-safety.js";
import { describeType, type IssueList } from "./issues.js";
import type { BspRunJson, State } from "./types.js";

const KEY = "bsp/run.json";
const FILE_FIELDS = ["linux", "initrd", "fdt", "fit", "modules", "firmware"] as const;

function checkFile(state: State, field: string, file: JsonValue | undefined, issues: IssueList) {
  if (file === undefined || file === "") return undefined;
  if (typeof file !== "string") {
    issues.add(KEY, `"${field}" must be a string, got ${describeType(file)}`);
    return undefined;
  }
  const reason = unsafePathReason(file);
  if (reason !== undefined)
    issues.add(KEY, `"${field}" ${JSON.stringify(file)} is unsafe: ${reason}`);
  else if (!(`bsp/${file}` in state))
    issues.add(KEY, `"${field}" refers to missing key bsp/${file}`);
  return file;
}

/** Validates `bsp/run.json`; files it names must exist under `bsp/` (empty means unused). */
export function validateBspRun(state: State, value: JsonValue | undefined, issues: IssueList) {
  if (!isJsonObject(value)) {
    issues.add(KEY, `must be an inline JSON object, got ${describeType(value)}`);
    return undefined;
  }
  const before = issues.items.length;
  const run: BspRunJson = { addons: [], raw: value };
  for (const field of FILE_FIELDS) {
    const file = checkFile(state, field, value[field], issues);
    if (file) run[field] = file;
  }
  const initrdConfig = checkFile(state, "initrd_config", value.initrd_config, issues);
  if (initrdConfig) run.initrdConfig = initrdConfig;
  const addons = value.addons ?? [];
  if (!Array.isArray(addons)) issues.add(KEY, `"addons" must be an array`);
  else {
    for (const addon of addons) {
      const file = checkFile(state, "addons[]", addon, issues);
      if (file) run.addons.push(file);
    }
  }
  if (!run.linux && !run.fit) issues.add(KEY, `needs "linux" or "fit" (the kernel to boot)`);
  return issues.items.length > before ? undefined : run;
}
