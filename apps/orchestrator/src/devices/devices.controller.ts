import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query } from "@nestjs/common";
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from "@nestjs/swagger";
import {
  type ApproveDeviceRequest,
  approveDeviceRequest,
  type DeviceAtQuery,
  type DeviceHistoryQuery,
  type DeviceIdParams,
  type DeviceListQuery,
  type DevicePage,
  type DeviceReasonRequest,
  type DeviceSummaryQuery,
  type DeviceSummaryView,
  type DeviceView,
  deviceAtQuery,
  deviceHistoryQuery,
  deviceIdParams,
  deviceListQuery,
  devicePage,
  deviceReasonRequest,
  deviceSummary,
  deviceSummaryQuery,
  deviceView,
  type PatchTagsRequest,
  patchTagsRequest,
  type RekeyDeviceRequest,
  rekeyDeviceRequest,
} from "@statecast/contract/http";
import { EventView } from "../audit/event-view.js";
import { Command, type CommandContext } from "../auth/command-context.js";
import { Roles } from "../auth/roles.decorator.js";
import { ApiPathParams, ApiQueryParams, openApiSchema, ZodPipe } from "../openapi/zod-contract.js";
import { DevicesService } from "./devices.service.js";

@ApiTags("devices")
@Roles("viewer")
@Controller("v1/devices")
export class DevicesController {
  constructor(@Inject(DevicesService) private readonly devices: DevicesService) {}

  @Get()
  @ApiQueryParams(deviceListQuery)
  @ApiOkResponse({ schema: openApiSchema(devicePage) })
  list(@Query(new ZodPipe(deviceListQuery)) query: DeviceListQuery): Promise<DevicePage> {
    const { presence, limit, ...rest } = query;
    return this.devices.list({
      ...rest,
      ...(presence ? { online: presence === "online" } : {}),
      limit: limit ?? 100,
    });
  }

  @Get("summary")
  @ApiOperation({ summary: "Device counts by running revision, last status, online/offline" })
  @ApiQueryParams(deviceSummaryQuery)
  @ApiOkResponse({ schema: openApiSchema(deviceSummary) })
  summary(
    @Query(new ZodPipe(deviceSummaryQuery)) { fleet }: DeviceSummaryQuery,
  ): Promise<DeviceSummaryView> {
    return this.devices.summary(fleet);
  }

  @Get(":id")
  @ApiOperation({
    summary:
      "The device now with its latest metrics, or with ?at=<ISO> as it was then (time travel, no metrics)",
  })
  @ApiPathParams(deviceIdParams)
  @ApiQueryParams(deviceAtQuery)
  @ApiOkResponse({ schema: openApiSchema(deviceView) })
  get(
    @Param(new ZodPipe(deviceIdParams)) { id }: DeviceIdParams,
    @Query(new ZodPipe(deviceAtQuery)) { at }: DeviceAtQuery,
  ): Promise<DeviceView> {
    return at === undefined ? this.devices.show(id) : this.devices.getAt(id, new Date(at));
  }

  @Get(":id/history")
  @ApiPathParams(deviceIdParams)
  @ApiQueryParams(deviceHistoryQuery)
  @ApiOkResponse({ type: [EventView] })
  history(
    @Param(new ZodPipe(deviceIdParams)) { id }: DeviceIdParams,
    @Query(new ZodPipe(deviceHistoryQuery)) query: DeviceHistoryQuery,
  ): Promise<EventView[]> {
    return this.devices.history(id, query.after ?? 0, query.limit ?? 100);
  }

  @Patch(":id")
  @Roles("operator")
  @ApiOperation({ summary: "Replace the device's tags (event DeviceTagsChanged)" })
  @ApiPathParams(deviceIdParams)
  @ApiBody({ schema: openApiSchema(patchTagsRequest) })
  @ApiOkResponse({ schema: openApiSchema(deviceView) })
  patchTags(
    @Param(new ZodPipe(deviceIdParams)) { id }: DeviceIdParams,
    @Body(new ZodPipe(patchTagsRequest)) body: PatchTagsRequest,
    @Command() ctx: CommandContext,
  ): Promise<DeviceView> {
    return this.devices.execute({ type: "ChangeTags", deviceId: id, tags: body.tags }, ctx);
  }

  @Post(":id/approve")
  @HttpCode(200)
  @Roles("operator")
  @ApiOperation({
    summary: "Approve the device's pending key (DeviceApproved); with keyFingerprint only that key",
  })
  @ApiPathParams(deviceIdParams)
  @ApiBody({ schema: openApiSchema(approveDeviceRequest) })
  @ApiOkResponse({ schema: openApiSchema(deviceView) })
  approve(
    @Param(new ZodPipe(deviceIdParams)) { id }: DeviceIdParams,
    @Body(new ZodPipe(approveDeviceRequest)) body: ApproveDeviceRequest,
    @Command() ctx: CommandContext,
  ): Promise<DeviceView> {
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
  @ApiPathParams(deviceIdParams)
  @ApiBody({ schema: openApiSchema(rekeyDeviceRequest) })
  @ApiOkResponse({ schema: openApiSchema(deviceView) })
  rekey(
    @Param(new ZodPipe(deviceIdParams)) { id }: DeviceIdParams,
    @Body(new ZodPipe(rekeyDeviceRequest)) body: RekeyDeviceRequest,
    @Command() ctx: CommandContext,
  ): Promise<DeviceView> {
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
  @ApiPathParams(deviceIdParams)
  @ApiBody({ schema: openApiSchema(deviceReasonRequest) })
  @ApiOkResponse({ schema: openApiSchema(deviceView) })
  installNow(
    @Param(new ZodPipe(deviceIdParams)) { id }: DeviceIdParams,
    @Body(new ZodPipe(deviceReasonRequest)) body: DeviceReasonRequest,
    @Command() ctx: CommandContext,
  ): Promise<DeviceView> {
    return this.devices.execute(
      { type: "ForceInstall", deviceId: id, reason: body.reason ?? "" },
      ctx,
    );
  }

  @Post(":id/decommission")
  @HttpCode(200)
  @Roles("operator")
  @ApiPathParams(deviceIdParams)
  @ApiBody({ schema: openApiSchema(deviceReasonRequest) })
  @ApiOkResponse({ schema: openApiSchema(deviceView) })
  decommission(
    @Param(new ZodPipe(deviceIdParams)) { id }: DeviceIdParams,
    @Body(new ZodPipe(deviceReasonRequest)) body: DeviceReasonRequest,
    @Command() ctx: CommandContext,
  ): Promise<DeviceView> {
    return this.devices.execute(
      { type: "Decommission", deviceId: id, reason: body.reason ?? "" },
      ctx,
    );
  }
}
