import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from "@nestjs/common";
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from "@nestjs/swagger";
import {
  type DeviceWhyView,
  deviceWhy,
  type RolloutAtQuery,
  type RolloutDefinitionRequest,
  type RolloutDeviceParams,
  type RolloutIdParams,
  type RolloutPlanView,
  type RolloutProgressView,
  type RolloutReasonRequest,
  type RolloutReplayRequest,
  type RolloutReplayView,
  type RolloutSummaryView,
  rolloutAtQuery,
  rolloutDefinitionRequest,
  rolloutDeviceParams,
  rolloutIdParams,
  rolloutPlan,
  rolloutProgress,
  rolloutReasonRequest,
  rolloutReplay,
  rolloutReplayRequest,
  rolloutSummary,
} from "@statecast/contract/http";
import { z } from "zod";
import { Command, type CommandContext } from "../auth/command-context.js";
import { Roles } from "../auth/roles.decorator.js";
import { ApiPathParams, ApiQueryParams, openApiSchema, ZodPipe } from "../openapi/zod-contract.js";
import { type ControlType, RolloutService } from "./rollout.service.js";

@ApiTags("rollouts")
@Roles("viewer")
@Controller("v1/rollouts")
export class RolloutController {
  constructor(@Inject(RolloutService) private readonly rollouts: RolloutService) {}

  @Post()
  @Roles("operator")
  @ApiOperation({
    summary: "Create a rollout (400/422: invalid definition; 409: devices held by another rollout)",
  })
  @ApiBody({ schema: openApiSchema(rolloutDefinitionRequest) })
  @ApiOkResponse({ schema: openApiSchema(rolloutProgress) })
  create(
    @Body(new ZodPipe(rolloutDefinitionRequest)) body: RolloutDefinitionRequest,
    @Command() ctx: CommandContext,
  ) {
    return this.rollouts.create(body, ctx);
  }

  @Post("plan")
  @HttpCode(200)
  @Roles("operator")
  @ApiOperation({ summary: "Dry-run: wave membership and order for a definition; writes nothing" })
  @ApiBody({ schema: openApiSchema(rolloutDefinitionRequest) })
  @ApiOkResponse({ schema: openApiSchema(rolloutPlan) })
  plan(
    @Body(new ZodPipe(rolloutDefinitionRequest)) body: RolloutDefinitionRequest,
  ): Promise<RolloutPlanView> {
    return this.rollouts.plan(body);
  }

  @Get()
  @ApiOkResponse({ schema: openApiSchema(z.array(rolloutSummary)) })
  list(): Promise<RolloutSummaryView[]> {
    return this.rollouts.list();
  }

  @Get(":id")
  @ApiOperation({
    summary: "Progress per wave (counts, gate, soak, ETA); ?at=<ISO> as it was then",
  })
  @ApiPathParams(rolloutIdParams)
  @ApiQueryParams(rolloutAtQuery)
  @ApiOkResponse({ schema: openApiSchema(rolloutProgress) })
  get(
    @Param(new ZodPipe(rolloutIdParams)) { id }: RolloutIdParams,
    @Query(new ZodPipe(rolloutAtQuery)) { at }: RolloutAtQuery,
  ): Promise<RolloutProgressView> {
    return this.rollouts.get(id, at);
  }

  @Post(":id/replay")
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Replay another gate policy over the recorded history: the decisions and when; writes nothing",
  })
  @ApiPathParams(rolloutIdParams)
  @ApiBody({ schema: openApiSchema(rolloutReplayRequest) })
  @ApiOkResponse({ schema: openApiSchema(rolloutReplay) })
  replay(
    @Param(new ZodPipe(rolloutIdParams)) { id }: RolloutIdParams,
    @Body(new ZodPipe(rolloutReplayRequest)) body: RolloutReplayRequest,
  ): Promise<RolloutReplayView> {
    return this.rollouts.replay(id, body);
  }

  @Get(":id/devices/:deviceId/why")
  @ApiOperation({ summary: "Why a device is not updated yet (reason code)" })
  @ApiPathParams(rolloutDeviceParams)
  @ApiOkResponse({ schema: openApiSchema(deviceWhy) })
  why(
    @Param(new ZodPipe(rolloutDeviceParams)) { id, deviceId }: RolloutDeviceParams,
  ): Promise<DeviceWhyView> {
    return this.rollouts.why(id, deviceId);
  }

  @Post(":id/start")
  @HttpCode(200)
  @Roles("operator")
  @ApiOperation({
    summary: "Start: plan the waves and assign the first wave's targets (409 if held)",
  })
  @ApiPathParams(rolloutIdParams)
  @ApiBody({ schema: openApiSchema(rolloutReasonRequest) })
  @ApiOkResponse({ schema: openApiSchema(rolloutProgress) })
  start(
    @Param(new ZodPipe(rolloutIdParams)) { id }: RolloutIdParams,
    @Body(new ZodPipe(rolloutReasonRequest)) { reason }: RolloutReasonRequest,
    @Command() ctx: CommandContext,
  ) {
    return this.rollouts.start(id, reason, ctx);
  }

  @Post(":id/pause")
  @HttpCode(200)
  @Roles("operator")
  @ApiOperation({ summary: "Pause (409 when not running)" })
  @ApiPathParams(rolloutIdParams)
  @ApiBody({ schema: openApiSchema(rolloutReasonRequest) })
  @ApiOkResponse({ schema: openApiSchema(rolloutProgress) })
  pause(
    @Param(new ZodPipe(rolloutIdParams)) p: RolloutIdParams,
    @Body(new ZodPipe(rolloutReasonRequest)) b: RolloutReasonRequest,
    @Command() c: CommandContext,
  ) {
    return this.control(p.id, "pause", b, c);
  }

  @Post(":id/resume")
  @HttpCode(200)
  @Roles("operator")
  @ApiOperation({ summary: "Resume a paused rollout (overrides a failed gate)" })
  @ApiPathParams(rolloutIdParams)
  @ApiBody({ schema: openApiSchema(rolloutReasonRequest) })
  @ApiOkResponse({ schema: openApiSchema(rolloutProgress) })
  resume(
    @Param(new ZodPipe(rolloutIdParams)) p: RolloutIdParams,
    @Body(new ZodPipe(rolloutReasonRequest)) b: RolloutReasonRequest,
    @Command() c: CommandContext,
  ) {
    return this.control(p.id, "resume", b, c);
  }

  @Post(":id/promote")
  @HttpCode(200)
  @Roles("operator")
  @ApiOperation({ summary: "Promote: end the current soak early or pass a manual gate" })
  @ApiPathParams(rolloutIdParams)
  @ApiBody({ schema: openApiSchema(rolloutReasonRequest) })
  @ApiOkResponse({ schema: openApiSchema(rolloutProgress) })
  promote(
    @Param(new ZodPipe(rolloutIdParams)) p: RolloutIdParams,
    @Body(new ZodPipe(rolloutReasonRequest)) b: RolloutReasonRequest,
    @Command() c: CommandContext,
  ) {
    return this.control(p.id, "promote", b, c);
  }

  @Post(":id/abort")
  @HttpCode(200)
  @Roles("operator")
  @ApiOperation({ summary: "Abort: no new assignments, queued targets cancelled" })
  @ApiPathParams(rolloutIdParams)
  @ApiBody({ schema: openApiSchema(rolloutReasonRequest) })
  @ApiOkResponse({ schema: openApiSchema(rolloutProgress) })
  abort(
    @Param(new ZodPipe(rolloutIdParams)) p: RolloutIdParams,
    @Body(new ZodPipe(rolloutReasonRequest)) b: RolloutReasonRequest,
    @Command() c: CommandContext,
  ) {
    return this.control(p.id, "abort", b, c);
  }

  @Post(":id/rollback")
  @HttpCode(200)
  @Roles("operator")
  @ApiOperation({
    summary: "Rollback: new staged rollouts back to each device's previous revision",
  })
  @ApiPathParams(rolloutIdParams)
  @ApiBody({ schema: openApiSchema(rolloutReasonRequest) })
  @ApiOkResponse({ schema: openApiSchema(rolloutProgress) })
  rollback(
    @Param(new ZodPipe(rolloutIdParams)) p: RolloutIdParams,
    @Body(new ZodPipe(rolloutReasonRequest)) b: RolloutReasonRequest,
    @Command() c: CommandContext,
  ) {
    return this.control(p.id, "rollback", b, c);
  }

  private control(id: string, type: ControlType, body: RolloutReasonRequest, ctx: CommandContext) {
    return this.rollouts.control(id, type, body.reason, ctx);
  }
}
