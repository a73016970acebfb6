import { Module } from "@nestjs/common";
import { TrustPolicyController } from "./trust-policy.controller.js";
import { TrustPolicyService } from "./trust-policy.service.js";

@Module({
  controllers: [TrustPolicyController],
  providers: [TrustPolicyService],
  exports: [TrustPolicyService],
})
export class TrustModule {}
