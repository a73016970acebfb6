// `@statecast/platform/config`: settings and their validation without Nest or OpenTelemetry, for
// processes that only need to read their configuration (the launcher, scripts).
export {
  ConfigError,
  type Environment,
  loadConfig,
  redactUrlPassword,
  showValue,
} from "./load-config.js";
export {
  loadServiceConfig,
  type ServiceConfig,
  type ServiceSettings,
  type StreamLimits,
  serviceSettings,
  toServiceConfig,
} from "./service-config.js";
export {
  adminTokenSetting,
  directorySetting,
  hostSetting,
  httpUrlSetting,
  LOG_LEVELS,
  type LogLevel,
  logLevelSetting,
  millisecondsSetting,
  natsUrlSetting,
  portSetting,
  postgresUrlSetting,
  wholeNumberSetting,
} from "./settings.js";
