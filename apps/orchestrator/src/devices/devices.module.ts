import { Module } from "@nestjs/common";
import { TypeOrmModule } from "@nestjs/typeorm";
import { DeviceRepository } from "./device.repository.js";
import { DeviceMetricsReader } from "./device-metrics.reader.js";
import { DeviceRegistryRow } from "./device-registry.entity.js";
import { DevicesController } from "./devices.controller.js";
import { DevicesService } from "./devices.service.js";

@Module({
  imports: [TypeOrmModule.forFeature([DeviceRegistryRow])],
  controllers: [DevicesController],
  providers: [DeviceRepository, DeviceMetricsReader, DevicesService],
})
export class DevicesModule {}
