import type { CredentialRevoker } from "./credential-revoker.js";
import type { EnrollmentResponder } from "./enrollment-responder.js";

/** The hello responder and the revoker, or nothing when no operator setup is configured. */
export interface Enrollment {
  responder: EnrollmentResponder;
  revoker: CredentialRevoker;
}
export const ENROLLMENT = "gateway:enrollment";
