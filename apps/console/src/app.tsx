import { useEffect, useState } from "preact/hooks";
import { ApiError, api, session } from "./api";
import { type Me, MeContext } from "./auth";
import { AuditPage } from "./pages/audit";
import { DevicePage } from "./pages/device";
import { DevicesPage } from "./pages/devices";
import { NewRolloutPage } from "./pages/new-rollout";
import { OverviewPage } from "./pages/overview";
import { RevisionsPage } from "./pages/revisions";
import { RolloutPage } from "./pages/rollout";
import { RolloutsPage } from "./pages/rollouts";
import { SignIn } from "./pages/sign-in";
import { Link, navigate, useRoute } from "./router";

function Page() {
  const { path } = useRoute();
  const [, section, id] = path.split("/").map(decodeURIComponent);
  if (section === "rollouts" && id === "new") return <NewRolloutPage />;
  if (section === "rollouts" && id) return <RolloutPage id={id} />;
  if (section === "rollouts") return <RolloutsPage />;
  if (section === "devices" && id) return <DevicePage id={id} />;
  if (section === "devices") return <DevicesPage />;
  if (section === "revisions") return <RevisionsPage />;
  if (section === "audit") return <AuditPage />;
  return <OverviewPage />;
}

const SECTIONS = [
  ["/", "Overview"],
  ["/rollouts", "Rollouts"],
  ["/devices", "Devices"],
  ["/revisions", "Revisions"],
  ["/audit", "Audit"],
] as const;

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(session.token() !== null);
  useEffect(() => {
    if (!session.token()) return;
    api<Me>("/v1/whoami")
      .then(setMe, (e: unknown) => e instanceof ApiError && e.status === 401 && session.clear())
      .finally(() => setChecking(false));
  }, []);
  if (checking) return <p class="loading">Checking your token…</p>;
  if (!me) return <SignIn onSignedIn={setMe} />;
  const signOut = () => {
    session.clear();
    setMe(null);
    navigate("/");
  };
  return (
    <MeContext.Provider value={me}>
      <header class="top">
        <strong class="brand">Statecast</strong>
        <nav aria-label="Sections">
          {SECTIONS.map(([to, label]) => (
            <Link key={to} to={to}>
              {label}
            </Link>
          ))}
        </nav>
        <span class="who" data-testid="who">
          {me.name} · <span class={`role role-${me.role}`}>{me.role}</span>
        </span>
        <button type="button" class="link" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        <Page />
      </main>
    </MeContext.Provider>
  );
}
