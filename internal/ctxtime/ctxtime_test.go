package ctxtime

import (
	"context"
	"testing"
	"time"
)

func TestSleep(t *testing.T) {
	t.Parallel()
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	began := time.Now()
	if err := Sleep(ctx, time.Hour); err != context.Canceled || time.Since(began) > time.Second {
		t.Fatalf("cancelled sleep: %v after %v", err, time.Since(began))
	}
	if err := Sleep(ctx, 0); err != context.Canceled {
		t.Fatalf("zero sleep on a cancelled context: %v", err)
	}
}
