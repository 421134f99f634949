package player

import (
	"encoding/binary"
	"errors"
	"io"
	"sync/atomic"
)

// jitter is one item's buffer between its reader goroutine (the only writer) and the audio callback (the
// only reader): a lock-free single-producer single-consumer ring of samples at the item's rate. The
// callback side never blocks or allocates; the writer waits for room on a channel the callback pokes.
type jitter struct {
	buf        []int16
	w, r       atomic.Uint64 // total samples written and read
	eof        atomic.Bool   // set after the last write
	err        error         // the reader's error, valid once eof is set
	room       chan struct{} // poked by the consumer after reading
	quit       chan struct{} // closed when the item is dropped
	underruns  atomic.Int64
	firstSound atomic.Int64 // unix nanoseconds of the first non-silent sample handed to the device; 0 = none yet
}

func newJitter(capacity int) *jitter {
	return &jitter{buf: make([]int16, capacity), room: make(chan struct{}, 1), quit: make(chan struct{})}
}

// buffered is how many samples are waiting.
func (j *jitter) buffered() int { return int(j.w.Load() - j.r.Load()) }

// read copies up to len(dst) samples into dst, converted to beep's [-1, 1] stereo frames.
func (j *jitter) read(dst [][2]float64) int {
	r, w := j.r.Load(), j.w.Load()
	n := min(int(w-r), len(dst))
	size := uint64(len(j.buf))
	for i := range n {
		v := float64(j.buf[(r+uint64(i))%size]) / 32768
		dst[i] = [2]float64{v, v}
	}
	j.r.Store(r + uint64(n))
	if n > 0 {
		select {
		case j.room <- struct{}{}:
		default:
		}
	}
	return n
}

// fill reads s16le PCM from src until EOF, an error, or quit; then it marks the end. It runs on its own
// goroutine: a Read that never returns leaves it behind, which is why the player closes src (when it is an
// io.Closer) on dropping the item.
func (j *jitter) fill(src io.Reader) {
	defer j.eof.Store(true)
	chunk := make([]byte, 4096)
	var odd []byte // a sample split across reads
	for {
		n, err := src.Read(chunk)
		data := chunk[:n]
		if len(odd) > 0 && n > 0 {
			data = append(odd, data...)
			odd = nil
		}
		if len(data)%2 == 1 {
			odd = []byte{data[len(data)-1]}
			data = data[:len(data)-1]
		}
		for len(data) > 0 {
			free := len(j.buf) - j.buffered()
			if free == 0 {
				select {
				case <-j.room:
					continue
				case <-j.quit:
					return
				}
			}
			k := min(free, len(data)/2)
			w := j.w.Load()
			for i := range k {
				j.buf[(w+uint64(i))%uint64(len(j.buf))] = int16(binary.LittleEndian.Uint16(data[2*i:]))
			}
			j.w.Store(w + uint64(k))
			data = data[2*k:]
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				j.err = err
			}
			return
		}
		select {
		case <-j.quit:
			return
		default:
		}
	}
}
