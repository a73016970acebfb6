import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from "@nestjs/common";
import { ApiOkResponse, ApiOperation, ApiTags } from "@nestjs/swagger";
import { Command, type CommandContext } from "../auth/command-context.js";
import { Roles } from "../auth/roles.decorator.js";
import {
  DeviceWhyResponse,
  RolloutAtQuery,
  RolloutDefinitionRequest,
  RolloutDeviceParams,
  RolloutIdParams,
  RolloutPlanResponse,
  RolloutProgressResponse,
  RolloutReasonRequest,
  RolloutReplayRequest,
  RolloutReplayResponse,
  RolloutSummary,
} from "./rollout.dto.js";
import { type ControlType, RolloutService, type RolloutView } from "./rollout.service.js";

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
  @ApiOkResponse({ type: RolloutProgressResponse })
  create(@Body() body: RolloutDefinitionRequest, @Command() ctx: CommandContext) {
    return this.rollouts.create(body, ctx);
  }

  @Post("plan")
  @HttpCode(200)
  @Roles("operator")
  @ApiOperation({ summary: "Dry-run: wave membership and order for a definition; writes nothing" })
  @ApiOkResponse({ type: RolloutPlanResponse })
  plan(@Body() body: RolloutDefinitionRequest) {
    return this.rollouts.plan(body);
  }

  @Get()
  @ApiOkResponse({ type: [RolloutSummary] })
  list(): Promise<RolloutSummary[]> {
    return this.rollouts.list();
  }

  @Get(":id")
  @ApiOperation({
    summary: "Progress per wave (counts, gate, soak, ETA); ?at=<ISO> as it was then",
  })
  @ApiOkResponse({ type: RolloutProgressResponse })
  get(@Param() { id }: RolloutIdParams, @Query() { at }: RolloutAtQuery): Promise<RolloutView> {
    return this.rollouts.get(id, at);
  }

  @Post(":id/replay")
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Replay another gate policy over the recorded history: the decisions and when; writes nothing",
  })
  @ApiOkResponse({ type: RolloutReplayResponse })
  replay(@Param() { id }: RolloutIdParams, @Body() body: RolloutReplayRequest) {
    return this.rollouts.replay(id, body);
  }

  @Get(":id/devices/:deviceId/why")
  @ApiOperation({ summary: "Why a device is not updated yet (reason code)" })
  @ApiOkResponse({ type: DeviceWhyResponse })
  why(@Param() { id, deviceId }: RolloutDeviceParams) {
    return this.rollouts.why(id, deviceId);
  }

  @Post(":id/start")
  @HttpCode(200)
  @Roles("operator")
  @ApiOperation({
    summary: "Start: plan the waves and assign the first wave's targets (409 if held)",
  })
  @ApiOkResponse({ type: RolloutProgressResponse })
  start(
    @Param() { id }: RolloutIdParams,
    @Body() { reason }: RolloutReasonRequest,
    @Command() ctx: CommandContext,
  ) {
    return this.rollouts.start(id, reason, ctx);
  }

  @Post(":id/pause")
  @HttpCode(200)
  @Roles("operator")
  @ApiOperation({ summary: "Pause (409 when not running)" })
  @ApiOkResponse({ type: RolloutProgressResponse })
  pause(
    @Param() p: RolloutIdParams,
    @Body() b: RolloutReasonRequest,
    @Command() c: CommandContext,
  ) {
    return this.control(p.id, "pause", b, c);
  }

  @Post(":id/resume")
  @HttpCode(200)
  @Roles("operator")
  @ApiOperation({ summary: "Resume a paused rollout (overrides a failed gate)" })
  @ApiOkResponse({ type: RolloutProgressResponse })
  resume(
    @Param() p: RolloutIdParams,
    @Body() b: RolloutReasonRequest,
    @Command() c: CommandContext,
  ) {
    return this.control(p.id, "resume", b, c);
  }

  @Post(":id/promote")
  @HttpCode(200)
  @Roles("operator")
  @ApiOperation({ summary: "Promote: end the current soak early or pass a manual gate" })
  @ApiOkResponse({ type: RolloutProgressResponse })
  promote(
    @Param() p: RolloutIdParams,
    @Body() b: RolloutReasonRequest,
    @Command() c: CommandContext,
  ) {
    return this.control(p.id, "promote", b, c);
  }

  @Post(":id/abort")
  @HttpCode(200)
  @Roles("operator")
  @ApiOperation({ summary: "Abort: no new assignments, queued targets cancelled" })
  @ApiOkResponse({ type: RolloutProgressResponse })
  abort(
    @Param() p: RolloutIdParams,
    @Body() b: RolloutReasonRequest,
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
  @ApiOkResponse({ type: RolloutProgressResponse })
  rollback(
    @Param() p: RolloutIdParams,
    @Body() b: RolloutReasonRequest,
    @Command() c: CommandContext,
  ) {
    return this.control(p.id, "rollback", b, c);
  }

  private control(id: string, type: ControlType, body: RolloutReasonRequest, ctx: CommandContext) {
    return this.rollouts.control(id, type, body.reason, ctx);
  }
}
