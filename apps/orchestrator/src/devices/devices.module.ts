import { Module } from "@nestjs/common";
import { DeviceRepository } from "./device.repository.js";
import { DeviceMetricsReader } from "./device-metrics.reader.js";
import { DevicesController } from "./devices.controller.js";
import { DevicesService } from "./devices.service.js";

@Module({
  controllers: [DevicesController],
  providers: [DeviceRepository, DeviceMetricsReader, DevicesService],
})
export class DevicesModule {}
