/** A valid `<name>/run.json` text (service-manifest-run@1) with extra `fields` first. */
export function aRunJson(name: string, fields: Record<string, unknown> = {}): string {
  return `${JSON.stringify({
    ...fields,
    "#spec": "service-manifest-run@1",
    name,
    type: "lxc",
    config: "lxc.container.conf",
    "root-volume": "root.squashfs",
    storage: {},
    volumes: [],
  })}\n`;
}

/** The files of a minimal valid container part, path → content. */
export function aContainer(
  name: string,
  fields: Record<string, unknown> = {},
): Record<string, string> {
  return {
    [`${name}/run.json`]: aRunJson(name, fields),
    [`${name}/lxc.container.conf`]: "lxc.init.cmd = /bin/sh\n",
    [`${name}/root.squashfs`]: `root of ${name}\n`,
  };
}
