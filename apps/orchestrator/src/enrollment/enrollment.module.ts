import { Module } from "@nestjs/common";
import {
  createRegistry,
  deviceCatalog,
  enrollmentCatalog,
  PostgresEventStore,
} from "@statecast/events";
import type pg from "pg";
import { PG_POOL } from "../projections/pool.js";
import { EnrollmentTokensController } from "./enrollment-tokens.controller.js";
import { ENROLLMENT_EVENT_STORE, EnrollmentTokensService } from "./enrollment-tokens.service.js";

/** Fleet enrollment tokens (the gateway checks them in device hellos). */
@Module({
  controllers: [EnrollmentTokensController],
  providers: [
    {
      // Its own store over the shared pool, with the enrollment catalog registered.
      provide: ENROLLMENT_EVENT_STORE,
      inject: [PG_POOL],
      useFactory: (pool: pg.Pool) =>
        new PostgresEventStore(pool, createRegistry(deviceCatalog, enrollmentCatalog)),
    },
    EnrollmentTokensService,
  ],
})
export class EnrollmentModule {}
