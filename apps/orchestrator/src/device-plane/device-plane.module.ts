import { Module } from "@nestjs/common";
import { DeviceLogsController } from "./device-logs.controller.js";
import { DeviceLogsService } from "./device-logs.service.js";
import { DevicePlaneController } from "./device-plane.controller.js";

/** The orchestrator's side of the device plane: credential revocation, logs asked of a device. */
@Module({
  controllers: [DevicePlaneController, DeviceLogsController],
  providers: [DeviceLogsService],
})
export class DevicePlaneModule {}
