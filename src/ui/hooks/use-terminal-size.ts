import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

/**
 * The size to draw in: explicit props win (tests; ink-testing-library's stdout has no rows), else the
 * terminal's, following 'resize'. One row is kept free so ink never takes its clear-the-screen path.
 */
const readSize = (stdout: NodeJS.WriteStream): { columns: number; rows: number } => ({
  columns: stdout.columns || 80,
  rows: stdout.rows || 24,
});

export function useTerminalSize(width?: number, height?: number): { width: number; height: number } {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => readSize(stdout));
  useEffect(() => {
    const onResize = (): void => setSize(readSize(stdout));
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return { width: width ?? size.columns, height: height ?? Math.max(8, size.rows - 1) };
}
