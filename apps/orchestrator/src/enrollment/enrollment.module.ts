import { Module } from "@nestjs/common";
import { getDataSourceToken, TypeOrmModule } from "@nestjs/typeorm";
import {
  createRegistry,
  deviceCatalog,
  enrollmentCatalog,
  PostgresEventStore,
  poolOf,
} from "@statecast/events";
import type { DataSource } from "typeorm";
import { EnrollmentTokenRow } from "./enrollment-token.entity.js";
import { EnrollmentTokenRepository } from "./enrollment-token.repository.js";
import { EnrollmentTokensController } from "./enrollment-tokens.controller.js";
import { ENROLLMENT_EVENT_STORE, EnrollmentTokensService } from "./enrollment-tokens.service.js";

/** Fleet enrollment tokens (the gateway checks them in device hellos). */
@Module({
  imports: [TypeOrmModule.forFeature([EnrollmentTokenRow])],
  controllers: [EnrollmentTokensController],
  providers: [
    {
      // Its own store over the shared pool, with the enrollment catalog registered.
      provide: ENROLLMENT_EVENT_STORE,
      inject: [getDataSourceToken()],
      useFactory: (dataSource: DataSource) =>
        new PostgresEventStore(
          poolOf(dataSource),
          createRegistry(deviceCatalog, enrollmentCatalog),
        ),
    },
    EnrollmentTokenRepository,
    EnrollmentTokensService,
  ],
})
export class EnrollmentModule {}
