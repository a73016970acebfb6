import { Module } from "@nestjs/common";
import { APP_PIPE } from "@nestjs/core";
import { createValidationPipe } from "./validation.pipe.js";

/** App-wide DTO validation (400 with field details through the platform's error filter). */
@Module({ providers: [{ provide: APP_PIPE, useFactory: createValidationPipe }] })
export class ApiModule {}
