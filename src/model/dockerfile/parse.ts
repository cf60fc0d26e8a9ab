/**
 * A Dockerfile as slimtui needs it: stages (`FROM … AS name`), their instructions with 1-based line ranges,
 * the shell-form command (continuations joined), exec-form arguments, heredocs, flags (`--from`, `--chmod`, …),
 * and the global ARGs before the first FROM. Parsed with rcjsuen's dockerfile-ast (the parser of VS Code's
 * Docker language server), then copied into plain data so the rest of slimtui never sees its classes.
 */
import { DockerfileParser, JSONInstruction, ModifiableInstruction, type From, type Instruction } from 'dockerfile-ast';

export interface DfHeredoc {
  readonly name: string;
  /** The heredoc's body (lines between the opener and the delimiter). */
  readonly content: string;
}

export interface DfInstruction {
  /** Upper-case keyword: RUN, COPY, ADD, FROM, ARG, … */
  readonly keyword: string;
  /** 1-based first and last line (continuations and heredocs included). */
  readonly line: number;
  readonly endLine: number;
  /** The instruction's text as written (all its lines). */
  readonly raw: string;
  /** Arguments without flags, continuations joined, whitespace collapsed. */
  readonly args: string;
  /** Exec form (`RUN ["a", "b"]`): the strings; undefined for shell form. */
  readonly exec?: readonly string[];
  readonly heredocs: readonly DfHeredoc[];
  /** `--name=value` flags (`--from=build`, `--chmod=755`, `--chown=1000`); a bare flag has value ''. */
  readonly flags: Readonly<Record<string, string>>;
  /** Index of the stage it belongs to (-1: before the first FROM). */
  readonly stage: number;
}

export interface DfStage {
  readonly index: number;
  /** `FROM … AS name`, lower-cased as Docker compares them. */
  readonly name?: string;
  /** The image (or stage name) it starts from, as written (`${BASE}` unexpanded). */
  readonly from: string;
  readonly fromLine: number;
  readonly instructions: readonly DfInstruction[];
}

export interface ParsedDockerfile {
  readonly text: string;
  readonly stages: readonly DfStage[];
  /** ARGs before the first FROM (they may parametrise FROM lines). */
  readonly globalArgs: readonly DfInstruction[];
  /** Every instruction, in order. */
  readonly instructions: readonly DfInstruction[];
}

const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim();

function heredocsOf(ins: Instruction, lines: readonly string[]): DfHeredoc[] {
  const get = (
    ins as unknown as {
      getHeredocs?: () => {
        getName(): string;
        getContentRange(): { start: { line: number }; end: { line: number } } | null;
      }[];
    }
  ).getHeredocs;
  if (typeof get !== 'function') return [];
  return get.call(ins).map((h) => {
    const r = h.getContentRange();
    return { name: h.getName(), content: r ? lines.slice(r.start.line, r.end.line + 1).join('\n') : '' };
  });
}

/** Parses a Dockerfile. Never throws: what dockerfile-ast cannot read is simply not there. */
export function parseDockerfile(text: string): ParsedDockerfile {
  const doc = DockerfileParser.parse(text);
  const lines = text.split(/\r?\n/);
  const all: DfInstruction[] = [];
  const stages: { index: number; name?: string; from: string; fromLine: number; instructions: DfInstruction[] }[] = [];
  for (const ins of doc.getInstructions()) {
    const r = ins.getRange();
    const keyword = ins.getKeyword().toUpperCase();
    if (keyword === 'FROM') {
      const f = ins as From;
      const stage = f.getBuildStage();
      stages.push({
        index: stages.length,
        ...(stage ? { name: stage.toLowerCase() } : {}),
        from: f.getImage() ?? '',
        fromLine: r.start.line + 1,
        instructions: [],
      });
    }
    const flags: Record<string, string> = {};
    if (ins instanceof ModifiableInstruction)
      for (const fl of ins.getFlags()) flags[fl.getName()] = fl.getValue() ?? '';
    const exec =
      ins instanceof JSONInstruction &&
      ins.getJSONStrings().length > 0 &&
      /^\s*\[/.test(ins.getArgumentsContent() ?? '')
        ? ins.getJSONStrings().map((j) => j.getJSONValue())
        : undefined;
    const heredocs = heredocsOf(ins, lines);
    const d: DfInstruction = {
      keyword,
      line: r.start.line + 1,
      endLine: r.end.line + 1,
      raw: lines.slice(r.start.line, r.end.line + 1).join('\n'),
      args: collapse(
        heredocs.length > 0 ? (ins.getArgumentsContent() ?? '').split('\n')[0]! : (ins.getArgumentsContent() ?? ''),
      ),
      ...(exec ? { exec } : {}),
      heredocs,
      flags,
      stage: stages.length - 1,
    };
    all.push(d);
    if (keyword !== 'FROM' && stages.length > 0) stages[stages.length - 1]!.instructions.push(d);
  }
  return { text, stages, globalArgs: all.filter((i) => i.stage < 0 && i.keyword === 'ARG'), instructions: all };
}

/** The stages a stage builds on, oldest first, ending with it (`FROM build AS test` → [build, test]). */
export function stageChain(df: ParsedDockerfile, index: number): DfStage[] {
  const chain: DfStage[] = [];
  let s: DfStage | undefined = df.stages[index];
  const seen = new Set<number>();
  while (s && !seen.has(s.index)) {
    seen.add(s.index);
    chain.unshift(s);
    const from = s.from.toLowerCase();
    const before: DfStage[] = df.stages.slice(0, s.index);
    s = before.reverse().find((x) => x.name === from);
  }
  return chain;
}

/** The shell command a RUN runs, as the builder records it: the heredoc body, the exec strings, or the text. */
export function runCommand(ins: DfInstruction): string {
  if (ins.exec) return ins.exec.join(' ');
  if (ins.heredocs.length > 0) return ins.heredocs.map((h) => h.content).join('\n');
  return ins.args;
}
