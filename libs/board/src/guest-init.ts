// /init of the board's initramfs (PID 1, busybox sh). It mounts the ESP and the data partition,
// links the runtime from the data partition, arms the watchdog, brings up the forwarded
// network, installs the factory bundle on first boot and then runs the agent (restarting it if
// it exits; a hung agent stops petting and the watchdog resets the board).
export const GUEST_PATHS = {
  esp: "/boot/efi",
  data: "/data",
  store: "/data/store",
  runtime: "/data/runtime",
  config: "/data/config",
  factory: "/data/factory",
  agent: "/lib/statecast/statecast-agent.js",
  modules: "/lib/statecast/modules",
} as const;

/** The gateway and forwarded services as the guest sees them (QEMU user net, restrict=on). */
export const GUEST_NET = { address: "10.0.2.15/24", router: "10.0.2.2", forwards: "10.0.2.100" };

export type InitKind = "agent" | "hang";

/** Opens the watchdog and closes it without the magic 'V': it stays armed until the agent pets it. */
const ARM_WATCHDOG = `modprobe i6300esb heartbeat="$SC_WATCHDOG_S" && echo 1 > /dev/watchdog && say "watchdog armed: \${SC_WATCHDOG_S}s"
`;

export interface GuestInitOptions {
  /**
   * The BSP's own watchdog timeout, over the image's board.env SC_WATCHDOG_S (a BSP knows its
   * boot time; the `hang` test BSP, which never starts the agent, needs no node start margin).
   */
  watchdogSeconds?: number;
}

/** The first boot installs the factory bundle before arming the watchdog (install does not pet it). */
export function guestInit(kind: InitKind, o: GuestInitOptions = {}): string {
  if (
    o.watchdogSeconds !== undefined &&
    !(Number.isInteger(o.watchdogSeconds) && o.watchdogSeconds > 0)
  )
    throw new Error(`watchdogSeconds must be a positive integer, not ${o.watchdogSeconds}`);
  const bspWatchdog = o.watchdogSeconds === undefined ? "" : `SC_WATCHDOG_S=${o.watchdogSeconds}\n`;
  const p = GUEST_PATHS;
  const head = `#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
/bin/busybox --install -s /bin
mount -t devtmpfs dev /dev; mkdir -p /dev/pts; mount -t devpts devpts /dev/pts
mount -t proc proc /proc; mount -t sysfs sys /sys
mount -t tmpfs run /run; mount -t tmpfs tmp /tmp; mount -t cgroup2 cgroup2 /sys/fs/cgroup
say() { echo "statecast-init: $*"; }
say "kernel $(uname -r) up $(cut -d' ' -f1 /proc/uptime)s cmdline: $(cat /proc/cmdline)"
for m in $(cat ${p.modules}); do modprobe "$m" || say "modprobe $m failed"; done
n=0; while [ ! -b /dev/vda2 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done
mkdir -p ${p.esp} ${p.data}
mount -t vfat -o rw /dev/vda1 ${p.esp} || say "cannot mount the ESP"
mount -t ext4 /dev/vda2 ${p.data} || say "cannot mount the data partition"
SC_WATCHDOG_S=90 SC_FACTORY_COMMIT_DELAY_MS=25000
[ -f ${p.config}/board.env ] && . ${p.config}/board.env
${bspWatchdog}`;
  if (kind === "hang")
    return `${head}${ARM_WATCHDOG}say "this BSP hangs here on purpose (no agent)"\nwhile :; do sleep 3600; done\n`;
  // /usr is a bind mount, not a symlink: LXC opens its rootfs mount point refusing symlinks.
  return `${head}mkdir -p /usr && mount -o bind ${p.runtime}/usr /usr; ln -s ${p.runtime}/usr/lib64 /lib64
ln -s ${p.runtime}/usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu
ip link set lo up; ip link set eth0 up
ip addr add ${GUEST_NET.address} dev eth0; ip route add default via ${GUEST_NET.router}
mkdir -p ${p.store} /var/lib /run/lxc
AGENT="node --max-semi-space-size=1 --max-old-space-size=96 ${p.agent}"
TRUST="--trust ${p.config}/signer.pem"
BOOT="--boot grub --esp ${p.esp}"
if [ -f ${p.factory}/bundle.tgz ] && [ ! -f ${p.factory}/installed ]; then
  say "installing the factory revision $(cat ${p.factory}/revision)"
  $AGENT install ${p.factory}/bundle.tgz --store ${p.store} --device-id "$SC_DEVICE_ID" $TRUST $BOOT \\
    --commit-delay-ms "$SC_FACTORY_COMMIT_DELAY_MS" && touch ${p.factory}/installed
  sync
fi
${ARM_WATCHDOG}TOKEN=""; [ -f ${p.config}/enrollment.token ] && TOKEN="--enrollment-token-file ${p.config}/enrollment.token"
CA=""; [ -f ${p.config}/nats-ca.pem ] && CA="--nats-ca ${p.config}/nats-ca.pem"
say "agent starting at $(cut -d' ' -f1 /proc/uptime)s"
while :; do
  $AGENT run --store ${p.store} $BOOT $TRUST --device-id "$SC_DEVICE_ID" --nats "$SC_NATS_URL" \\
    --orchestrator-key ${p.config}/orchestrator.pem --fleet "$SC_FLEET" \\
    --js-api-prefix "$SC_JS_API_PREFIX" \\
    --enrollment-creds ${p.config}/enrollment.creds $TOKEN $CA --watchdog /dev/watchdog $SC_AGENT_ARGS
  say "agent exited with $?; restarting in 2s"; sleep 2
done
`;
}
