import type { Image } from '../image.js';
import { layerKind, quoteCommand } from './layer-kind.js';
import { type LAYER_WASTE_TEXT, RULES_BY_ID, type PathClassId } from './waste-rules.js';

const code = (s: string): string => `\`${s.replace(/`/g, "'")}\``;
const list = (paths: readonly string[], max = 3): string => {
  const shown = paths.slice(0, max).map(code).join(', ');
  return paths.length > max ? `${shown} and ${paths.length - max} more` : shown;
};
const fromBase = (paths: readonly string[], what: string): string =>
  `${what} ${list(paths)} come${paths.length === 1 ? 's' : ''} from the base image: use a slimmer base (or a \`-slim\`/distroless variant), or copy only what the app needs into a fresh stage`;

/** The advice for removing a path class stored by `layer`. */
export function classFixText(image: Image, layer: number, id: PathClassId, paths: readonly string[]): string {
  const rule = RULES_BY_ID.get(id)!;
  const kind = layerKind(image, layer);
  const cmd = code(quoteCommand(image, layer));
  if (kind === 'base') return fromBase(paths, rule.label);
  if (kind === 'copy' || kind === 'add') {
    if (rule.dockerignore) return `add to .dockerignore: ${code(rule.dockerignore)} (${cmd} copies ${list(paths)})`;
    return `${cmd} copies ${rule.label} (${list(paths)}): add them to .dockerignore or copy only what the app needs`;
  }
  const full = image.layers[layer]?.history?.createdBy ?? '';
  if (rule.installFix && rule.installFix.when.test(full))
    return `in ${cmd} ${rule.installFix.text} — ${rule.label}: ${list(paths)}`;
  if (rule.buildStage && rule.category === 'toolchain')
    return `move the toolchain to a build stage: ${cmd} installs ${rule.label} (${list(paths)}); build in \`FROM … AS build\` and \`COPY --from=build\` only the result`;
  if (rule.buildStage && rule.runFix)
    return `in ${cmd} add ${code(`&& ${rule.runFix}`)} (${rule.label}: ${list(paths)}), or better build in a build stage and \`COPY --from=build\` only the result`;
  if (rule.runFix) return `in ${cmd} add ${code(`&& ${rule.runFix}`)} (${rule.label}: ${list(paths)})`;
  return `${rule.fix}: ${list(paths)} (written by ${cmd})`;
}

/** The package install in a RUN command (`apk add …`, `apt-get install …`), when there is one. */
export function installCommand(command: string): string | undefined {
  const m =
    /\b(apk\s+add|apt-get\s+install|apt\s+install|(?:yum|dnf|microdnf)\s+install|zypper\s+(?:in|install)|pip3?\s+install|npm\s+(?:install|ci))\b[^;&|]*/.exec(
      command,
    );
  return m ? m[0].replace(/\s+/g, ' ').trim() : undefined;
}

/** One cause, one item: what a toolchain install left in the runtime image (headers, .a, .o, compilers). */
export function buildStageFixText(
  image: Image,
  layer: number,
  ids: readonly PathClassId[],
  paths: ReadonlyMap<string, number>,
): string {
  const cmd = code(quoteCommand(image, layer));
  const full = image.layers[layer]?.history?.createdBy ?? '';
  const install = installCommand(full);
  const labels = ids.map((id) => RULES_BY_ID.get(id)?.label ?? id);
  const top = [...paths].sort((a, b) => b[1] - a[1]).map(([p]) => (p.startsWith('/') ? p : `/${p}`));
  const what = `${labels.length > 1 ? `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}` : labels[0]} (${list(top)})`;
  const who = install ? `${code(install)} in ${cmd}` : cmd;
  return `${who} installs a build toolchain — ${what}: build in a \`FROM … AS build\` stage and \`COPY --from=build\` only the result into the runtime stage`;
}

/** The advice for removing arbitrary paths stored by `layer`. */
export function removeFixText(image: Image, layer: number, paths: readonly string[]): string {
  const kind = layerKind(image, layer);
  const cmd = code(quoteCommand(image, layer));
  if (kind === 'base') return fromBase(paths, 'files');
  if (kind === 'copy' || kind === 'add')
    return `add to .dockerignore: ${paths
      .slice(0, 5)
      .map((p) => code(p.replace(/^\//, '')))
      .join(', ')} (${cmd} copies them)`;
  return `in ${cmd} add ${code(`&& rm -rf ${paths.slice(0, 4).join(' ')}${paths.length > 4 ? ' …' : ''}`)}`;
}

/** The advice for bytes a later layer made unreachable. */
export function layerWasteFixText(
  image: Image,
  layer: number,
  id: keyof typeof LAYER_WASTE_TEXT,
  paths: readonly string[],
  byLayer: number | undefined,
): string {
  const kind = layerKind(image, layer);
  const cmd = code(quoteCommand(image, layer));
  const later =
    byLayer !== undefined ? `layer ${byLayer} (${code(quoteCommand(image, byLayer, 60))})` : 'a later layer';
  switch (id) {
    case 'deleted':
      if (kind === 'run')
        return `${list(paths)} ${paths.length === 1 ? 'is' : 'are'} deleted in ${later}: delete ${paths.length === 1 ? 'it' : 'them'} in the same RUN that created ${paths.length === 1 ? 'it' : 'them'} (${cmd})`;
      if (kind === 'copy' || kind === 'add')
        return `${list(paths)} ${paths.length === 1 ? 'is' : 'are'} copied by ${cmd} and deleted in ${later}: don't copy ${paths.length === 1 ? 'it' : 'them'} (add to .dockerignore, or COPY only what is needed)`;
      return `${list(paths)} ${paths.length === 1 ? 'is' : 'are'} deleted in ${later} but still shipped by ${kind === 'base' ? 'the base image' : cmd}: deleting in a later layer never saves bytes; use a multi-stage build`;
    case 'hidden': {
      // An opaque directory (`.wh..wh..opq`) in the later layer replaced the whole directory: nothing of the
      // old one is reachable, whether or not the later layer writes the same names.
      const it = paths.length === 1 ? 'it' : 'them';
      if (kind === 'base')
        return `${list(paths)} from the base image ${paths.length === 1 ? 'is' : 'are'} hidden by ${later}, which replaces ${paths.length === 1 ? 'its directory' : 'their directory'} wholesale (an opaque directory): the hidden files still ship; a multi-stage build (or squash) drops them`;
      return `${list(paths)} ${paths.length === 1 ? 'is' : 'are'} written by ${cmd} and then hidden by ${later}, which replaces the directory wholesale (an opaque directory, e.g. \`rm -rf dir && mkdir dir\`): don't write ${it} in the first place, or create the directory's final contents in one step`;
    }
    case 'overwritten':
      if (kind === 'base')
        return `${list(paths)} from the base image ${paths.length === 1 ? 'is' : 'are'} replaced in ${later}: the old copy still ships; a multi-stage build (or squash) drops it`;
      return `${list(paths)} ${paths.length === 1 ? 'is' : 'are'} written by ${cmd} and written again in ${later}: write ${paths.length === 1 ? 'it' : 'them'} once, in the final form`;
    case 'chmod-copied': {
      const how =
        kind === 'run'
          ? `set the mode/owner in the same RUN (${cmd})`
          : kind === 'base'
            ? 'set the mode/owner in the stage that builds the base'
            : `set the mode in ${cmd} (\`COPY --chmod=755\` / \`--chown=\`, or on the file in the build context)`;
      return `${list(paths)}: ${later} only changes mode or owner, which copies the whole file again; ${how} and drop the later \`chmod\`/\`chown\``;
    }
  }
}

export function duplicateFixText(image: Image, layer: number, kept: string, copies: readonly string[]): string {
  const cmd = code(quoteCommand(image, layer));
  return `${list(copies)} ${copies.length === 1 ? 'is a copy' : 'are copies'} of ${code(kept)} (same sha256): ${layerKind(image, layer) === 'run' ? `in ${cmd} link instead of copying (\`ln -sf ${kept} …\`)` : `copy it once and link the others (\`ln -s\`), written by ${cmd}`}`;
}

export function stripFixText(image: Image, layer: number, paths: readonly string[], go: boolean): string {
  const kind = layerKind(image, layer);
  const cmd = code(quoteCommand(image, layer));
  if (go) {
    return kind === 'run'
      ? `add \`-ldflags='-s -w'\` to \`go build\` in ${cmd} (${list(paths)})`
      : `add \`-ldflags='-s -w'\` to the \`go build\` that makes ${list(paths)} (copied by ${cmd})`;
  }
  if (kind === 'base')
    return `${list(paths)} from the base image ${paths.length === 1 ? 'is' : 'are'} not stripped: stripping in a later layer would add a copy; strip in the stage that builds ${paths.length === 1 ? 'it' : 'them'}`;
  if (kind === 'run')
    return `in ${cmd} add ${code(`&& strip --strip-all ${paths.slice(0, 3).join(' ')}${paths.length > 3 ? ' …' : ''}`)} (or \`install -s\`)`;
  return `strip ${list(paths)} before ${cmd} copies ${paths.length === 1 ? 'it' : 'them'} (\`strip --strip-all\` in the build stage)`;
}

export function upxFixText(image: Image, layer: number, paths: readonly string[]): string {
  const cmd = code(quoteCommand(image, layer));
  return `pack ${list(paths)} with \`upx --best --lzma\` in the stage that builds ${paths.length === 1 ? 'it' : 'them'} (written by ${cmd}); see the UPX caveats`;
}
