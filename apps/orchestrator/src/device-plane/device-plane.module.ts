import { Module } from "@nestjs/common";
import { DevicePlaneController } from "./device-plane.controller.js";

/** The orchestrator's side of the device plane: credential revocation. */
@Module({ controllers: [DevicePlaneController] })
export class DevicePlaneModule {}
