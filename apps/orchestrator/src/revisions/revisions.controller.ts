import { Body, Controller, Get, Header, Inject, Param, Post, Query } from "@nestjs/common";
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from "@nestjs/swagger";
import {
  type FleetParams,
  fleetParams,
  type RevisionView,
  type RevisionWithState,
  revisionView,
  revisionWithState,
} from "@statecast/contract/http";
import type { StateDiff } from "@statecast/state";
import { z } from "zod";
import { Command, type CommandContext } from "../auth/command-context.js";
import { Roles } from "../auth/roles.decorator.js";
import { ApiPathParams, openApiSchema, ZodPipe } from "../openapi/zod-contract.js";
import {
  PostRevisionRequest,
  RevisionDiffParams,
  RevisionListQuery,
  RevisionParams,
  SignaturesResponse,
} from "./revision.dto.js";
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
  @ApiCreatedResponse({ schema: openApiSchema(revisionView) })
  post(
    @Param(new ZodPipe(fleetParams)) { fleet }: FleetParams,
    @Body() body: PostRevisionRequest,
    @Command() ctx: CommandContext,
  ): Promise<RevisionView> {
    return this.revisions.post(fleet, body.state, body.message ?? "", ctx);
  }

  @Get()
  @ApiPathParams(fleetParams)
  @ApiOkResponse({ schema: openApiSchema(z.array(revisionView)) })
  list(
    @Param(new ZodPipe(fleetParams)) { fleet }: FleetParams,
    @Query() query: RevisionListQuery,
  ): Promise<RevisionView[]> {
    return this.revisions.list(fleet, query.after ?? 0, query.limit ?? 100);
  }

  @Get(":a/diff/:b")
  @ApiOperation({ summary: "What changes from revision a to revision b" })
  diff(@Param() { fleet, a, b }: RevisionDiffParams): Promise<StateDiff> {
    return this.revisions.diff(fleet, a, b);
  }

  @Get(":number/signatures")
  @ApiOperation({
    summary: "The revision's signatures verified under the fleet's current trust policy",
  })
  @ApiOkResponse({ type: SignaturesResponse })
  signatures(@Param() { fleet, number }: RevisionParams): Promise<SignaturesResponse> {
    return this.revisions.signatures(fleet, number);
  }

  @Get(":number/state")
  @Header("Content-Type", "application/json")
  @ApiOperation({ summary: "The state as canonical JSON text (the bytes its digest covers)" })
  state(@Param() { fleet, number }: RevisionParams): Promise<string> {
    return this.revisions.canonicalState(fleet, number);
  }

  @Get(":number")
  @ApiOkResponse({ schema: openApiSchema(revisionWithState) })
  async get(@Param() { fleet, number }: RevisionParams): Promise<RevisionWithState> {
    const [view, text] = await Promise.all([
      this.revisions.get(fleet, number),
      this.revisions.canonicalState(fleet, number),
    ]);
    return { ...view, state: JSON.parse(text) as Record<string, unknown> };
  }
}
