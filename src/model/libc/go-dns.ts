/**
 * Which name resolver a Go binary uses, from its build info (Go's src/net/conf.go):
 *   'go'   pure Go resolver: CGO_ENABLED=0 or `-tags netgo` (reads /etc/hosts, /etc/resolv.conf, /etc/nsswitch.conf);
 *   'cgo'  the C library's getaddrinfo: `-tags netcgo` (with cgo);
 *   'auto' CGO_ENABLED=1 without either tag: on Linux Go's own resolver, unless /etc/nsswitch.conf or
 *          /etc/resolv.conf ask for what it does not implement (then libc's).
 * With no /etc/nsswitch.conf, Go before 1.16 asked DNS before /etc/hosts on Linux (it assumed glibc's old
 * documented default "dns [!UNAVAIL=return] files"); the change for golang/go#35305 (commit c80022204e8f,
 * CL 238629, listed in the Go 1.16 release notes) made it files first. Pure.
 */
import type { GoBuildInfo } from '../elf/index.js';

export type GoResolverMode = 'go' | 'cgo' | 'auto' | 'unknown';

/**
 * The first Go release whose resolver reads /etc/hosts first when /etc/nsswitch.conf is absent. Confirmed from
 * Go's own src/net/conf.go, `(*conf).hostLookupOrder`, the branch `if os.IsNotExist(nss.err) || …`:
 *   go1.15.3 (VERSION "go1.15.3"; a copy of the release tree, github.com/friendlyhank/go1.15.3-annotated at
 *     2bc385b6c06e0db5c96e7efe05083e23ce1ec582, conf.go lines 198–211): `if c.goos == "linux" { // glibc says
 *     the default is "dns [!UNAVAIL=return] files" … return hostLookupDNSFiles }` — DNS first;
 *   go1.16.4 (VERSION "go1.16.4"; github.com/coredumptoday/go1.16.4withComment at
 *     25b2e843dda75d9face709e69a95bec0ba86a24d, conf.go lines 198–206): the linux case is gone, only solaris's
 *     fallback, then `return hostLookupFilesDNS` — files first.
 * That is commit c80022204e8f (CL 238629, golang/go#35305), on master before the 1.16 freeze and in the Go 1.16
 * release notes, so every 1.16 (its betas too) reads files first and every 1.15.x and older asks DNS first.
 */
export const GO_HOSTS_FIRST = [1, 16] as const;

export function goResolverMode(go: GoBuildInfo): { mode: GoResolverMode; why: string } {
  const tags = (go.settings['-tags'] ?? '').split(/[,\s]+/).filter((t) => t !== '');
  if (tags.includes('netgo')) return { mode: 'go', why: 'built with -tags netgo' };
  if (go.cgoEnabled === false) return { mode: 'go', why: 'CGO_ENABLED=0' };
  if (tags.includes('netcgo') && go.cgoEnabled === true) return { mode: 'cgo', why: 'built with -tags netcgo' };
  if (go.cgoEnabled === true) return { mode: 'auto', why: 'CGO_ENABLED=1' };
  return { mode: 'unknown', why: 'no CGO_ENABLED in the build info' };
}

/** [major, minor] of a Go version string ("go1.15.8", "go1.16beta1", "go1.21rc2"); undefined for "devel …". */
export function goVersionOf(v: string): [number, number] | undefined {
  const m = /^go(\d+)\.(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Whether the binary's resolver reads /etc/hosts before DNS when /etc/nsswitch.conf is absent. */
export function hostsFirstWithoutNsswitch(goVersion: string): boolean | undefined {
  const v = goVersionOf(goVersion);
  if (!v) return undefined;
  return v[0] > GO_HOSTS_FIRST[0] || (v[0] === GO_HOSTS_FIRST[0] && v[1] >= GO_HOSTS_FIRST[1]);
}
