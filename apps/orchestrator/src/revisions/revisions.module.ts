import { Module } from "@nestjs/common";
import { ObjectsModule } from "../objects/objects.module.js";
import { TrustModule } from "../trust/trust.module.js";
import { RevisionRepository } from "./revision.repository.js";
import { RevisionsController } from "./revisions.controller.js";
import { RevisionsService } from "./revisions.service.js";

@Module({
  imports: [ObjectsModule, TrustModule],
  controllers: [RevisionsController],
  providers: [RevisionRepository, RevisionsService],
})
export class RevisionsModule {}
