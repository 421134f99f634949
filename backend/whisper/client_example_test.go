package whisper

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// A whole utterance: connect, stream 100 ms frames, finish, read the final text.
func ExampleDial() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Dial(ctx, DialOptions{URL: "http://127.0.0.1:8000", Language: "en"})
	if errors.Is(err, ErrNeedsPCMInput) || errors.Is(err, ErrUnauthorized) {
		fmt.Println(err) // a sentence the user can act on
		return
	} else if err != nil {
		fmt.Println("speech server:", err)
		return
	}
	go func() {
		for p := range s.Updates() { // live text for the UI; closed when the session ends
			fmt.Printf("%s [%s] lag %v growing %v\n", p.Committed, p.Volatile, p.Lag, p.LagGrowing)
		}
	}()
	n, _ := FrameSize(100 * time.Millisecond)
	pcm := make([]byte, 10*n) // one second of s16le 16 kHz mono from the microphone
	for off := 0; off < len(pcm); off += n {
		if err := s.Send(pcm[off:min(off+n, len(pcm))]); err != nil {
			fmt.Println("send:", err)
			break
		}
	}
	text, err := s.Finish(ctx) // empty frame, ready_to_stop, close
	fmt.Println(text, err)
}
