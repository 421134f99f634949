package audio

import "context"

// Stream delivers consecutive frames of frameSamples samples from pos on, as they are written, until ctx
// ends; then it closes the channel. A reader that falls more than the ring behind skips ahead (counted in
// Overruns) and its frame restarts where reading resumed.
func (r *Ring) Stream(ctx context.Context, from Position, frameSamples int) <-chan Frame {
	out := make(chan Frame, 16)
	go func() {
		defer close(out)
		buf := make([]int16, frameSamples)
		fill, pos := 0, from
		for {
			n, next := r.ReadFrom(pos, buf[fill:])
			if next-Position(n) != pos { // skipped ahead
				copy(buf, buf[fill:fill+n])
				fill = 0
			}
			fill, pos = fill+n, next
			if fill == len(buf) {
				select {
				case out <- Frame{Pos: pos - Position(fill), Samples: buf}:
				case <-ctx.Done():
					return
				}
				buf, fill = make([]int16, frameSamples), 0
				continue
			}
			select {
			case <-r.Wait(pos):
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}
