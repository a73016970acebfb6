import { Module } from "@nestjs/common";
import { DeviceLogFollows } from "./device-log-follows.service.js";
import { DeviceLogsController } from "./device-logs.controller.js";
import { DeviceLogsService } from "./device-logs.service.js";
import { DevicePlaneController } from "./device-plane.controller.js";

/** The orchestrator's side of the device plane: credential revocation, logs asked of a device (once or followed). */
@Module({
  controllers: [DevicePlaneController, DeviceLogsController],
  providers: [DeviceLogsService, DeviceLogFollows],
})
export class DevicePlaneModule {}
