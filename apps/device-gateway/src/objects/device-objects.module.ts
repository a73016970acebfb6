import { Module } from "@nestjs/common";
import { StatusModule } from "../status/status.module.js";
import { DeviceObjectsController } from "./device-objects.controller.js";
import { DeviceObjectsService } from "./device-objects.service.js";

@Module({
  imports: [StatusModule],
  controllers: [DeviceObjectsController],
  providers: [DeviceObjectsService],
})
export class DeviceObjectsModule {}
