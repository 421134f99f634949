package n8n

import (
	"context"
	"testing"

	"github.com/tonnytray/tonnytray/backend/n8nsim"
)

// BenchmarkPost is one signed, authenticated round trip to the simulator on
// loopback over a kept-alive connection: the client's own overhead.
func BenchmarkPost(b *testing.B) {
	sim := startSim(b, n8nsim.Config{AuthHeader: keyHeader, AuthValue: keyValue, SignSecret: secret})
	c := newClient(b, Config{URL: sim.URL(), AuthHeader: keyHeader, AuthValue: keyValue, SignSecret: secret})
	payload := body(b, "bench", "turn on the lights")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Post(ctx, "bench", payload); err != nil {
			b.Fatal(err)
		}
	}
}
