/**
 * The path-based waste classes: what they match, why the bytes are waste, and how to fix them in a
 * Dockerfile. The first matching rule wins, so a file is counted in one class only (a `.git` dir inside the
 * Go module cache is module cache). Paths are normalised (no leading `/`).
 */

export type WasteCategory =
  'package-cache' | 'toolchain' | 'docs' | 'vcs' | 'temp' | 'dependency-tests' | 'duplicates' | 'layer-waste';

export type PathClassId =
  | 'apt-lists'
  | 'apt-archives'
  | 'yum-dnf-cache'
  | 'apk-cache'
  | 'pip-cache'
  | 'npm-cache'
  | 'yarn-cache'
  | 'pnpm-store'
  | 'go-build-cache'
  | 'go-mod-cache'
  | 'cargo-registry'
  | 'maven-repo'
  | 'gradle-cache'
  | 'go-sdk'
  | 'rust-toolchain'
  | 'c-toolchain'
  | 'headers'
  | 'static-archives'
  | 'vcs'
  | 'dependency-tests'
  | 'docs'
  | 'locales'
  | 'object-files'
  | 'temp-files';

export type LayerWasteId = 'deleted' | 'overwritten' | 'hidden' | 'chmod-copied';
export type WasteClassId = PathClassId | 'duplicates' | LayerWasteId;

export interface WasteRule {
  readonly id: PathClassId;
  readonly category: WasteCategory;
  readonly label: string;
  readonly globs: readonly string[];
  readonly why: string;
  /** The general advice. */
  readonly fix: string;
  /** What to append to the RUN that wrote the files (`&& …`). */
  readonly runFix?: string;
  /** A better way to write that RUN, when the tool has a flag for it, keyed by a word the command contains. */
  readonly installFix?: { readonly when: RegExp; readonly text: string };
  /** For files that arrive by COPY/ADD: a .dockerignore line. */
  readonly dockerignore?: string;
  /** The fix is a build stage, not a removal in place. */
  readonly buildStage?: boolean;
}

const HOME = '{root,home/*,usr/local/share,var/lib/*}';

export const WASTE_RULES: readonly WasteRule[] = [
  {
    id: 'apt-lists',
    category: 'package-cache',
    label: 'apt package lists',
    globs: ['var/lib/apt/lists'],
    why: 'apt-get update downloads the package indexes; nothing at run time reads them',
    fix: 'remove the lists in the same RUN as apt-get update',
    runFix: 'rm -rf /var/lib/apt/lists/*',
  },
  {
    id: 'apt-archives',
    category: 'package-cache',
    label: 'apt package archives and caches',
    globs: ['var/cache/apt', 'var/cache/debconf/*-old'],
    why: 'downloaded .deb files and the binary package cache stay after install',
    fix: 'clean them in the same RUN as the install',
    runFix: 'apt-get clean && rm -rf /var/cache/apt/*',
  },
  {
    id: 'yum-dnf-cache',
    category: 'package-cache',
    label: 'yum/dnf cache',
    globs: ['var/cache/yum', 'var/cache/dnf', 'var/cache/microdnf', 'var/cache/zypp'],
    why: 'repository metadata and downloaded packages stay after install',
    fix: 'clean the cache in the same RUN as the install',
    runFix: 'yum clean all && rm -rf /var/cache/yum /var/cache/dnf',
    installFix: { when: /\bdnf\b/, text: 'dnf clean all && rm -rf /var/cache/dnf' },
  },
  {
    id: 'apk-cache',
    category: 'package-cache',
    label: 'apk cache',
    globs: ['var/cache/apk', 'etc/apk/cache'],
    why: 'apk keeps the downloaded indexes and packages',
    fix: 'use `apk add --no-cache`',
    runFix: 'rm -rf /var/cache/apk/*',
    installFix: { when: /\bapk\s+(add|update)\b/, text: 'use `apk add --no-cache …` (and drop `apk update`)' },
  },
  {
    id: 'pip-cache',
    category: 'package-cache',
    label: 'pip cache',
    globs: [`${HOME}/.cache/pip`],
    why: 'pip keeps every wheel it downloaded or built',
    fix: 'use `pip install --no-cache-dir` (or a cache mount)',
    runFix: 'rm -rf ~/.cache/pip',
    installFix: { when: /\bpip3?\s+install\b/, text: 'use `pip install --no-cache-dir …`' },
  },
  {
    id: 'npm-cache',
    category: 'package-cache',
    label: 'npm cache',
    globs: [`${HOME}/.npm`],
    why: 'npm keeps a content-addressed copy of every package it installed',
    fix: 'clean the cache in the same RUN (or use a cache mount)',
    runFix: 'npm cache clean --force',
  },
  {
    id: 'yarn-cache',
    category: 'package-cache',
    label: 'yarn cache',
    globs: [`${HOME}/.cache/yarn`, `${HOME}/.yarn/berry/cache`, 'usr/local/share/.cache/yarn'],
    why: 'yarn keeps a copy of every package it installed',
    fix: 'clean the cache in the same RUN',
    runFix: 'yarn cache clean',
  },
  {
    id: 'pnpm-store',
    category: 'package-cache',
    label: 'pnpm store',
    globs: ['**/.pnpm-store', `${HOME}/.local/share/pnpm/store`],
    why: 'the pnpm content store holds a second copy of node_modules',
    fix: 'prune the store in the same RUN (or use a cache mount)',
    runFix: 'pnpm store prune',
  },
  {
    id: 'go-build-cache',
    category: 'package-cache',
    label: 'Go build cache',
    globs: [`${HOME}/.cache/go-build`],
    why: 'compiled packages kept for the next build; the binary does not need them',
    fix: 'build in a build stage, or clean it in the same RUN (or use a cache mount)',
    runFix: 'go clean -cache',
  },
  {
    id: 'go-mod-cache',
    category: 'package-cache',
    label: 'Go module cache',
    globs: ['go/pkg/mod', `${HOME}/go/pkg/mod`],
    why: 'module sources downloaded for the build; a Go binary embeds what it uses',
    fix: 'build in a build stage, or clean it in the same RUN',
    runFix: 'go clean -modcache',
    buildStage: true,
  },
  {
    id: 'cargo-registry',
    category: 'package-cache',
    label: 'cargo registry and git checkouts',
    globs: [`${HOME}/.cargo/registry`, `${HOME}/.cargo/git`, 'usr/local/cargo/registry', 'usr/local/cargo/git'],
    why: 'crate sources downloaded for the build',
    fix: 'build in a build stage (cargo keeps these for incremental builds)',
    runFix: 'rm -rf $CARGO_HOME/registry $CARGO_HOME/git',
    buildStage: true,
  },
  {
    id: 'maven-repo',
    category: 'package-cache',
    label: 'Maven repository',
    globs: [`${HOME}/.m2/repository`],
    why: 'every dependency jar downloaded for the build',
    fix: 'build in a build stage and copy only the artifact',
    runFix: 'rm -rf ~/.m2/repository',
    buildStage: true,
  },
  {
    id: 'gradle-cache',
    category: 'package-cache',
    label: 'Gradle caches',
    globs: [`${HOME}/.gradle/caches`, `${HOME}/.gradle/wrapper/dists`],
    why: 'dependency and wrapper caches of the build',
    fix: 'build in a build stage and copy only the artifact',
    runFix: 'rm -rf ~/.gradle/caches ~/.gradle/wrapper/dists',
    buildStage: true,
  },
  {
    id: 'go-sdk',
    category: 'toolchain',
    label: 'Go SDK',
    globs: ['usr/local/go', 'usr/lib/go', 'usr/lib/go-*', 'usr/share/go-*'],
    why: 'the compiler and standard library sources are needed to build, not to run a Go binary',
    fix: 'move the toolchain to a build stage',
    buildStage: true,
  },
  {
    id: 'rust-toolchain',
    category: 'toolchain',
    label: 'Rust toolchain',
    globs: ['usr/local/rustup', `${HOME}/.rustup`, 'usr/local/cargo/bin', `${HOME}/.cargo/bin`],
    why: 'rustc, cargo and the standard library are needed to build, not to run',
    fix: 'move the toolchain to a build stage',
    buildStage: true,
  },
  {
    id: 'c-toolchain',
    category: 'toolchain',
    label: 'C/C++ compilers',
    globs: [
      'usr/lib/gcc',
      'usr/libexec/gcc',
      'usr/lib/gcc-cross',
      'usr/bin/{gcc,g++,cc,c++,cpp,clang,clang++,cc1,ld,ld.bfd,ld.gold,as,ar,ranlib,objdump,gold}',
      'usr/bin/*-linux-gnu-{gcc,g++,cpp,ld,ld.bfd,ld.gold,as,ar,objdump,lto-dump}*',
      'usr/bin/{gcc,g++,cpp,lto-dump}-[0-9]*',
      'usr/lib/llvm-*',
    ],
    why: 'compilers, assemblers and linkers are build tools',
    fix: 'move the toolchain to a build stage',
    buildStage: true,
  },
  {
    id: 'headers',
    category: 'toolchain',
    label: 'C headers',
    globs: ['usr/include', 'usr/local/include'],
    why: 'headers are read by compilers only',
    fix: 'move the build to a build stage (headers come with -dev packages)',
    buildStage: true,
  },
  {
    id: 'static-archives',
    category: 'toolchain',
    label: 'static libraries (*.a)',
    globs: ['**/*.a'],
    why: 'static archives are linked into binaries at build time; nothing loads them at run time',
    fix: 'move the build to a build stage, or delete *.a in the same RUN',
    runFix: "find / -xdev -name '*.a' -delete",
    buildStage: true,
  },
  {
    id: 'vcs',
    category: 'vcs',
    label: 'version control metadata',
    globs: ['**/.git', '**/.svn', '**/.hg'],
    why: 'repository history is not needed at run time (and can leak secrets)',
    fix: 'keep VCS dirs out of the image',
    runFix: 'rm -rf .git',
    dockerignore: '.git/',
  },
  {
    id: 'dependency-tests',
    category: 'dependency-tests',
    label: 'tests and examples inside dependencies',
    globs: [
      '**/node_modules/{*,@*/*}/{test,tests,__tests__,example,examples,benchmark,benchmarks,docs}',
      '**/{site,dist}-packages/*/{test,tests}',
    ],
    why: 'test suites, examples and docs shipped inside installed packages',
    fix: 'delete them in the same RUN as the install',
    runFix: "find . -path '*/node_modules/*/test*' -prune -exec rm -rf {} +",
  },
  {
    id: 'docs',
    category: 'docs',
    label: 'documentation (doc, man, info)',
    globs: [
      'usr/share/doc',
      'usr/share/man',
      'usr/share/info',
      'usr/local/share/man',
      'usr/share/gtk-doc',
      'usr/local/share/doc',
    ],
    why: 'manuals and package docs are not read inside a container',
    fix: 'install without docs (`apt-get install --no-install-recommends`, dpkg path-exclude) or delete them in the same RUN',
    runFix: 'rm -rf /usr/share/doc/* /usr/share/man/* /usr/share/info/*',
  },
  {
    id: 'locales',
    category: 'docs',
    label: 'translations and locales',
    globs: ['usr/share/locale', 'usr/share/i18n'],
    why: 'message catalogues for languages the container never shows',
    fix: 'delete unused locales in the same RUN',
    runFix: 'rm -rf /usr/share/locale/* /usr/share/i18n',
  },
  {
    id: 'object-files',
    category: 'temp',
    label: 'object files (*.o)',
    globs: ['**/*.o', '**/*.obj'],
    why: 'intermediate build output, already linked into the binaries',
    fix: 'build in a build stage, or `make clean` in the same RUN',
    runFix: "find / -xdev -name '*.o' -delete",
    buildStage: true,
  },
  {
    id: 'temp-files',
    category: 'temp',
    label: 'temporary files',
    globs: ['tmp/*', 'var/tmp/*'],
    why: 'files left in /tmp by the build',
    fix: 'clean up in the same RUN that wrote them',
    runFix: 'rm -rf /tmp/* /var/tmp/*',
  },
];

export const RULES_BY_ID: ReadonlyMap<PathClassId, WasteRule> = new Map(WASTE_RULES.map((r) => [r.id, r]));

export const LAYER_WASTE_TEXT: Readonly<Record<LayerWasteId, { label: string; why: string; fix: string }>> = {
  deleted: {
    label: 'deleted in a later layer',
    why: 'a later layer deletes the file, but the layer that added it still ships it',
    fix: 'delete it in the same RUN that created it (or never add it)',
  },
  overwritten: {
    label: 'overwritten in a later layer',
    why: 'a later layer writes the path again; the first copy is still shipped',
    fix: 'write it once, in its final form',
  },
  hidden: {
    label: 'hidden by an opaque directory',
    why: 'a later layer replaced the whole directory',
    fix: 'create the directory once, in its final form',
  },
  'chmod-copied': {
    label: 'copied again only to change mode or owner',
    why: 'a chmod/chown in a later layer copies the whole file into that layer',
    fix: 'set the mode in the COPY (`COPY --chmod=755`, `COPY --chown=`) or on the file in the build context, instead of a later `RUN chmod`',
  },
};

export const DUPLICATES_TEXT = {
  label: 'duplicate content',
  why: 'identical bytes stored at several paths of the final filesystem',
  fix: 'copy once and link (symlink or hard link in the same layer), or deduplicate the sources',
} as const;

/** The first rule matching a normalised path, if any. */
export type RuleMatcher = (path: string) => WasteRule | undefined;
