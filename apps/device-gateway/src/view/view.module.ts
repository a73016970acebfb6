import { Module } from "@nestjs/common";
import { getRepositoryToken, TypeOrmModule } from "@nestjs/typeorm";
import type { Repository } from "typeorm";
import { GatewayView } from "./gateway-view.js";
import { GatewayViewEvent } from "./gateway-view-event.entity.js";
import { ViewEventsController } from "./view-events.controller.js";

/** The gateway's own view of the streams it decides with, kept from SC_EVENTS. */
@Module({
  imports: [TypeOrmModule.forFeature([GatewayViewEvent])],
  controllers: [ViewEventsController],
  providers: [
    {
      provide: GatewayView,
      inject: [getRepositoryToken(GatewayViewEvent)],
      useFactory: (rows: Repository<GatewayViewEvent>) => new GatewayView(rows),
    },
  ],
  exports: [GatewayView],
})
export class ViewModule {}
