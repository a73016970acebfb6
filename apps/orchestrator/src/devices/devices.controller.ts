import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query } from "@nestjs/common";
import { ApiOkResponse, ApiOperation, ApiTags } from "@nestjs/swagger";
import { EventView } from "../audit/event-view.js";
import { Command, type CommandContext } from "../auth/command-context.js";
import { Roles } from "../auth/roles.decorator.js";
import {
  ApproveDeviceRequest,
  DecommissionDeviceRequest,
  DeviceAtQuery,
  DeviceHistoryQuery,
  DeviceIdParams,
  DeviceListQuery,
  DevicePageResponse,
  DeviceResponse,
  DeviceSummaryQuery,
  DeviceSummaryResponse,
  InstallNowRequest,
  PatchTagsRequest,
  RekeyDeviceRequest,
} from "./device.dto.js";
import { DevicesService } from "./devices.service.js";

@ApiTags("devices")
@Roles("viewer")
@Controller("v1/devices")
export class DevicesController {
  constructor(@Inject(DevicesService) private readonly devices: DevicesService) {}

  @Get()
  @ApiOkResponse({ type: DevicePageResponse })
  list(@Query() query: DeviceListQuery): Promise<DevicePageResponse> {
    const { presence, limit, ...rest } = query;
    return this.devices.list({
      ...rest,
      ...(presence ? { online: presence === "online" } : {}),
      limit: limit ?? 100,
    });
  }

  @Get("summary")
  @ApiOperation({ summary: "Device counts by running revision, last status, online/offline" })
  @ApiOkResponse({ type: DeviceSummaryResponse })
  summary(@Query() { fleet }: DeviceSummaryQuery): Promise<DeviceSummaryResponse> {
    return this.devices.summary(fleet);
  }

  @Get(":id")
  @ApiOperation({
    summary:
      "The device now with its latest metrics, or with ?at=<ISO> as it was then (time travel, no metrics)",
  })
  @ApiOkResponse({ type: DeviceResponse })
  get(@Param() { id }: DeviceIdParams, @Query() { at }: DeviceAtQuery): Promise<DeviceResponse> {
    return at === undefined ? this.devices.show(id) : this.devices.getAt(id, new Date(at));
  }

  @Get(":id/history")
  @ApiOkResponse({ type: [EventView] })
  history(
    @Param() { id }: DeviceIdParams,
    @Query() query: DeviceHistoryQuery,
  ): Promise<EventView[]> {
    return this.devices.history(id, query.after ?? 0, query.limit ?? 100);
  }

  @Patch(":id")
  @Roles("operator")
  @ApiOperation({ summary: "Replace the device's tags (event DeviceTagsChanged)" })
  @ApiOkResponse({ type: DeviceResponse })
  patchTags(
    @Param() { id }: DeviceIdParams,
    @Body() body: PatchTagsRequest,
    @Command() ctx: CommandContext,
  ): Promise<DeviceResponse> {
    return this.devices.execute({ type: "ChangeTags", deviceId: id, tags: body.tags }, ctx);
  }

  @Post(":id/approve")
  @HttpCode(200)
  @Roles("operator")
  @ApiOperation({
    summary: "Approve the device's pending key (DeviceApproved); with keyFingerprint only that key",
  })
  @ApiOkResponse({ type: DeviceResponse })
  approve(
    @Param() { id }: DeviceIdParams,
    @Body() body: ApproveDeviceRequest,
    @Command() ctx: CommandContext,
  ): Promise<DeviceResponse> {
    const { keyFingerprint } = body ?? {};
    return this.devices.execute(
      {
        type: "Approve",
        deviceId: id,
        by: ctx.actor,
        ...(keyFingerprint ? { keyFingerprint } : {}),
      },
      ctx,
    );
  }

  @Post(":id/rekey")
  @HttpCode(200)
  @Roles("operator")
  @ApiOperation({
    summary:
      "Re-key the device (DeviceRekeyed): its key's credentials are revoked; its next hello with a new key waits for approval",
  })
  @ApiOkResponse({ type: DeviceResponse })
  rekey(
    @Param() { id }: DeviceIdParams,
    @Body() body: RekeyDeviceRequest,
    @Command() ctx: CommandContext,
  ): Promise<DeviceResponse> {
    const reason = body?.reason || "re-keyed by an operator";
    return this.devices.execute({ type: "Rekey", deviceId: id, reason }, ctx);
  }

  @Post(":id/install-now")
  @HttpCode(200)
  @Roles("operator")
  @ApiOperation({
    summary:
      "Install the device's target now, whatever its maintenance window or update locks (event TargetInstallForced; 409 without a target)",
  })
  @ApiOkResponse({ type: DeviceResponse })
  installNow(
    @Param() { id }: DeviceIdParams,
    @Body() body: InstallNowRequest,
    @Command() ctx: CommandContext,
  ): Promise<DeviceResponse> {
    return this.devices.execute(
      { type: "ForceInstall", deviceId: id, reason: body.reason ?? "" },
      ctx,
    );
  }

  @Post(":id/decommission")
  @HttpCode(200)
  @Roles("operator")
  @ApiOkResponse({ type: DeviceResponse })
  decommission(
    @Param() { id }: DeviceIdParams,
    @Body() body: DecommissionDeviceRequest,
    @Command() ctx: CommandContext,
  ): Promise<DeviceResponse> {
    return this.devices.execute(
      { type: "Decommission", deviceId: id, reason: body.reason ?? "" },
      ctx,
    );
  }
}
