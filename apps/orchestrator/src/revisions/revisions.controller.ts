import { Body, Controller, Get, Header, Inject, Param, Post, Query } from "@nestjs/common";
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from "@nestjs/swagger";
import {
  type FleetParams,
  fleetParams,
  type PostRevisionRequest,
  postRevisionRequest,
  type RevisionDiffParams,
  type RevisionListQuery,
  type RevisionParams,
  type RevisionView,
  type RevisionWithState,
  revisionDiffParams,
  revisionListQuery,
  revisionParams,
  revisionView,
  revisionWithState,
  signaturesView,
} from "@statecast/contract/http";
import type { StateDiff, VerifyReport } from "@statecast/state";
import { z } from "zod";
import { Command, type CommandContext } from "../auth/command-context.js";
import { Roles } from "../auth/roles.decorator.js";
import { ApiPathParams, ApiQueryParams, openApiSchema, ZodPipe } from "../openapi/zod-contract.js";
import { RevisionsService } from "./revisions.service.js";

@ApiTags("revisions")
@Roles("viewer")
@Controller("v1/fleets/:fleet/revisions")
export class RevisionsController {
  constructor(@Inject(RevisionsService) private readonly revisions: RevisionsService) {}

  @Post()
  @Roles("operator")
  @ApiOperation({ summary: "Post a state as the fleet's next revision (422 when refused)" })
  @ApiPathParams(fleetParams)
  @ApiBody({ schema: openApiSchema(postRevisionRequest) })
  @ApiCreatedResponse({ schema: openApiSchema(revisionView) })
  post(
    @Param(new ZodPipe(fleetParams)) { fleet }: FleetParams,
    @Body(new ZodPipe(postRevisionRequest)) body: PostRevisionRequest,
    @Command() ctx: CommandContext,
  ): Promise<RevisionView> {
    return this.revisions.post(fleet, body.state, body.message ?? "", ctx);
  }

  @Get()
  @ApiPathParams(fleetParams)
  @ApiQueryParams(revisionListQuery)
  @ApiOkResponse({ schema: openApiSchema(z.array(revisionView)) })
  list(
    @Param(new ZodPipe(fleetParams)) { fleet }: FleetParams,
    @Query(new ZodPipe(revisionListQuery)) query: RevisionListQuery,
  ): Promise<RevisionView[]> {
    return this.revisions.list(fleet, query.after ?? 0, query.limit ?? 100);
  }

  @Get(":a/diff/:b")
  @ApiOperation({ summary: "What changes from revision a to revision b" })
  @ApiPathParams(revisionDiffParams)
  diff(
    @Param(new ZodPipe(revisionDiffParams)) { fleet, a, b }: RevisionDiffParams,
  ): Promise<StateDiff> {
    return this.revisions.diff(fleet, a, b);
  }

  @Get(":number/signatures")
  @ApiOperation({
    summary: "The revision's signatures verified under the fleet's current trust policy",
  })
  @ApiPathParams(revisionParams)
  @ApiOkResponse({ schema: openApiSchema(signaturesView) })
  signatures(
    @Param(new ZodPipe(revisionParams)) { fleet, number }: RevisionParams,
  ): Promise<VerifyReport> {
    return this.revisions.signatures(fleet, number);
  }

  @Get(":number/state")
  @Header("Content-Type", "application/json")
  @ApiOperation({ summary: "The state as canonical JSON text (the bytes its digest covers)" })
  @ApiPathParams(revisionParams)
  state(@Param(new ZodPipe(revisionParams)) { fleet, number }: RevisionParams): Promise<string> {
    return this.revisions.canonicalState(fleet, number);
  }

  @Get(":number")
  @ApiOkResponse({ schema: openApiSchema(revisionWithState) })
  @ApiPathParams(revisionParams)
  async get(
    @Param(new ZodPipe(revisionParams)) { fleet, number }: RevisionParams,
  ): Promise<RevisionWithState> {
    const [view, text] = await Promise.all([
      this.revisions.get(fleet, number),
      this.revisions.canonicalState(fleet, number),
    ]);
    return { ...view, state: JSON.parse(text) as Record<string, unknown> };
  }
}
