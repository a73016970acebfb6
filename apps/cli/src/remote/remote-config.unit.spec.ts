import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  configPath,
  normaliseUrl,
  readRemoteConfig,
  withRemote,
  writeRemoteConfig,
} from "./remote-config.js";
import { RemoteConfigError } from "./remote-errors.js";
import { resolveRemote } from "./resolve-remote.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "sc-remote-config-"));
});

describe("remote config file", () => {
  it("lives under STATECAST_CONFIG, else XDG_CONFIG_HOME, else ~/.config", () => {
    expect(configPath({ STATECAST_CONFIG: "/x/c.json", XDG_CONFIG_HOME: "/xdg" })).toBe(
      "/x/c.json",
    );
    expect(configPath({ XDG_CONFIG_HOME: "/xdg" })).toBe("/xdg/statecast/config.json");
    expect(configPath({ HOME: "/home/ann" })).toBe("/home/ann/.config/statecast/config.json");
  });

  it("round-trips with mode 0600 in a 0700 directory, and reads as empty when absent", async () => {
    const path = join(dir, "nested/statecast/config.json");
    expect(await readRemoteConfig(path)).toEqual({ remotes: {}, current: null });
    const config = withRemote(await readRemoteConfig(path), "lab", { url: "http://a", token: "t" });
    await writeRemoteConfig(path, config);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(dirname(path))).mode & 0o777).toBe(0o700);
    expect(await readRemoteConfig(path)).toEqual({
      remotes: { lab: { url: "http://a", token: "t" } },
      current: "lab",
    });
  });

  it("names the file and the problem when it is damaged", async () => {
    const path = join(dir, "config.json");
    await writeFile(path, "{nope");
    await expect(readRemoteConfig(path)).rejects.toThrow(`${path} is not valid JSON`);
    await writeFile(path, JSON.stringify({ remotes: { lab: { url: 1 } } }));
    await expect(readRemoteConfig(path)).rejects.toThrow(
      'remote "lab" needs a string url and token',
    );
  });

  it("refuses odd remote names and non-http URLs as usage errors", () => {
    const bad = () =>
      withRemote({ remotes: {}, current: null }, "no spaces", { url: "u", token: "t" });
    expect(bad).toThrow(RemoteConfigError);
    expect(bad).toThrow(/use letters, digits/);
    expect(normaliseUrl("http://127.0.0.1:8080/")).toBe("http://127.0.0.1:8080");
    expect(() => normaliseUrl("ftp://127.0.0.1")).toThrow(/only http:\/\/ and https:\/\//);
    expect(() => normaliseUrl("127.0.0.1:8080")).toThrow(/is not a URL \(e.g. http:/);
    expect(() => normaliseUrl("not a url")).toThrow(/is not a URL/);
  });
});

describe("choosing the remote", () => {
  async function withConfig() {
    const path = join(dir, "config.json");
    let config = withRemote({ remotes: {}, current: null }, "a", {
      url: "http://a:1",
      token: "ta",
    });
    config = withRemote(config, "b", { url: "http://b:2", token: "tb" });
    await writeRemoteConfig(path, config);
    return { STATECAST_CONFIG: path };
  }

  it("takes --remote, else the working directory's URL, else the current remote", async () => {
    const env = await withConfig();
    expect(await resolveRemote(env)).toEqual({ name: "b", url: "http://b:2", token: "tb" });
    expect(await resolveRemote(env, { remote: "a" })).toEqual({
      name: "a",
      url: "http://a:1",
      token: "ta",
    });
    expect(await resolveRemote(env, { url: "http://a:1/" })).toMatchObject({
      name: "a",
      token: "ta",
    });
    await expect(resolveRemote(env, { remote: "c" })).rejects.toThrow(
      /no remote named "c".*known: a, b/,
    );
  });

  it("lets the environment override URL and token, never sending a stored token elsewhere", async () => {
    const env = await withConfig();
    expect(await resolveRemote({ ...env, STATECAST_TOKEN: "x" })).toMatchObject({
      url: "http://b:2",
      token: "x",
    });
    expect(await resolveRemote({ ...env, STATECAST_URL: "http://a:1" })).toMatchObject({
      token: "ta",
    });
    await expect(resolveRemote({ ...env, STATECAST_URL: "http://evil:9" })).rejects.toThrow(
      "no token for http://evil:9",
    );
    expect(JSON.parse(await readFile(env.STATECAST_CONFIG, "utf8")).current).toBe("b");
  });
});
