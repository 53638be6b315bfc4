/**
 * Windows over a long recording, in frames: `size`-frame windows every `hop` frames from the start,
 * plus one window aligned to the end when the last regular one stops short of it (so the tail is
 * covered by a full-length window, not a short one). A recording no longer than one window is one
 * window of all its frames.
 */
export interface FrameWindow {
  start: number;
  frames: number;
}

export function frameWindows(total: number, size: number, hop: number): FrameWindow[] {
  if (total <= size) return [{ start: 0, frames: total }];
  const windows: FrameWindow[] = [];
  for (let start = 0; start + size <= total; start += hop) windows.push({ start, frames: size });
  const last = windows[windows.length - 1];
  if (last.start + size < total) windows.push({ start: total - size, frames: size });
  return windows;
}
