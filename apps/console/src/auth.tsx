import { createContext } from "preact";
import { useContext } from "preact/hooks";

export type Role = "viewer" | "operator" | "admin";
export type Me = { name: string; role: Role; tokenId: string };

const ORDER: Role[] = ["viewer", "operator", "admin"];

export const MeContext = createContext<Me | null>(null);

/** True when the signed-in token's role is at least `role` (the API checks again anyway). */
export function useCan(role: Role): boolean {
  const me = useContext(MeContext);
  return me !== null && ORDER.indexOf(me.role) >= ORDER.indexOf(role);
}
